import sys

from learnpacks.cli import main

sys.exit(main())

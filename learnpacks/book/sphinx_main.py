"""``python -m learnpacks.book.sphinx_main ARGS``: Sphinx's command line (``python -m sphinx``), as
the site build runs it for each language, without the optional jsonschema format checkers that
nothing in the build uses (:func:`learnpacks.clitools.skip_slow_optional_imports`): MyST-NB imports
nbformat, which imports jsonschema, which would compile rfc3987_syntax's grammars (about 1.4 CPU-s,
a sixth of a one-cell edit's rebuild) in every Sphinx process."""

from __future__ import annotations

import sys

from learnpacks.clitools import skip_slow_optional_imports

if __name__ == "__main__":
    skip_slow_optional_imports()
    from sphinx.cmd.build import main

    sys.exit(main(sys.argv[1:]))

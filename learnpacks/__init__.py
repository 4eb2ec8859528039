"""learnpacks: hands-on, multilingual learning packs for the Wikimedia movement."""

__version__ = "0.1.0"

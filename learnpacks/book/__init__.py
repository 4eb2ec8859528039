"""The static site: a Jupyter Book 1.x build per language under ``book/_build/site/``."""

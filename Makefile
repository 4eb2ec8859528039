# learnpacks: every target installs what it needs first (Debian/Ubuntu with Python 3.11+).
# `make book` builds the site from packs/; `make test` runs the whole suite.

PYTHON ?= python3
VENV   := .venv
UV     := .uv/bin/uv
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: all install book test serve lint binder lock clean help
all: book

help:
	@echo "make book     install everything and build the site into book/_build/site/"
	@echo "make test     install everything and run the whole test suite"
	@echo "make serve    build, then serve the site on http://127.0.0.1:8000/"
	@echo "make lint     ruff, mypy and learnpacks check"
	@echo "make binder   regenerate binder/ from uv.lock"
	@echo "make lock     re-resolve uv.lock after changing pyproject.toml"

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

# The venv's JupyterLab is the learners' (make install, then jupyter lab packs/...): nbgrader's
# menus and server extensions are off there; facilitators turn them on for one server with
# JUPYTER_CONFIG_PATH=jupyter-config/facilitator (docs/facilitators.md).
LEARNER_CONFIG := $(shell find jupyter-config/learner -type f)

# Bytecode is compiled at install: every command, kernel and test process then starts from it
# (importing Sphinx, nbgrader and ipykernel took twice the CPU from source, measured here with
# PYTHONDONTWRITEBYTECODE=1, where nothing compiled at run time is kept).
$(STAMP): pyproject.toml uv.lock $(LEARNER_CONFIG) | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	$(VENV)/bin/python -m compileall -q learnpacks >/dev/null
	mkdir -p $(VENV)/etc/jupyter
	cp -R jupyter-config/learner/. $(VENV)/etc/jupyter/
	@touch $@

install: $(STAMP)

book: install
	$(VENV)/bin/learnpacks book build

test: install
	$(VENV)/bin/pytest -n 2 --dist loadscope tests --learnpacks-execute packs

serve: book
	@echo "serving http://127.0.0.1:8000/ (Ctrl-C stops)"
	$(VENV)/bin/python -m http.server --bind 127.0.0.1 --directory book/_build/site 8000

lint: install
	$(VENV)/bin/ruff check learnpacks tests benchmarks
	$(VENV)/bin/ruff format --check learnpacks tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/learnpacks check

binder: install
	$(VENV)/bin/learnpacks binder generate

lock: | $(UV)
	$(UV) lock --python $(PYTHON)

clean:
	rm -rf book/_build build .pytest_cache

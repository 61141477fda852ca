# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
DEMO ?= $(or $(TMPDIR),/tmp)/tether-demo
ARGS ?= chat -w $(DEMO) --provider replay:$(CURDIR)/examples/demo-transcript.json "Add a docstring to greet() in hello.py"

.PHONY: install run test lint generate

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'

run: install
	rm -rf $(DEMO) && cp -r examples/demo-workspace $(DEMO)
	tether $(ARGS)
	@echo "--- $(DEMO)/hello.py after the turn:" && cat $(DEMO)/hello.py

test: install
	bash .ci/install-editors.sh
	$(PYTHON) -m ruff check server tests benchmarks
	$(PYTHON) -m pytest -q -p no:cacheprovider

lint: install
	$(PYTHON) -m ruff check server tests benchmarks
	$(PYTHON) -m mypy

generate: install
	$(PYTHON) -m tether.protocol.generate

# make report — validate and summarise the bundled sample (creates .venv on first use)
# make test   — the whole test suite
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
THADS := $(VENV)/bin/thads

.PHONY: report test venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

report: venv
	$(THADS) validate data/sample
	$(THADS) summary --province "Nam Định"

test: venv
	$(PY) -m pytest

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis

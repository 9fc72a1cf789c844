# make report — reports for all provinces and the nation on the bundled sample (creates .venv on first use)
# make test   — the whole test suite, golden notebooks included (nbval)
# make golden — rewrite the golden notebooks after a deliberate change to the reports
# make messages — gather the messages marked in the code into thads_analysis/locale/vi/LC_MESSAGES/thads.po
# make bench  — time the batch against a plain papermill loop and a no-notebook floor (BENCH_ARGS="--provinces 16")
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
THADS := $(VENV)/bin/thads

.PHONY: report test golden bench venv clean messages

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

report: venv
	$(THADS) validate data/sample
	$(THADS) report --all

test: venv
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/golden/sanitize.cfg

bench: venv
	$(PY) bench/bench.py $(BENCH_ARGS)

messages: venv
	$(VENV)/bin/pybabel extract --no-location --omit-header --sort-output -k _ -k N_ -k ngettext:1,2 \
		-o $(VENV)/thads.pot thads_analysis
	$(VENV)/bin/pybabel update --omit-header --no-fuzzy-matching --ignore-obsolete --width 120 \
		-i $(VENV)/thads.pot -d thads_analysis/locale -D thads -l vi

golden: venv
	MPLBACKEND= $(PY) tests/make_golden.py

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis

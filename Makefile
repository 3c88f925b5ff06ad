# Everything a fresh machine needs is installed by these targets, into .venv/ and node_modules/.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VALUES ?= values/003-local-k8s-deployment.yaml
OUTDIR ?= dist
SCHEMAS ?= ../shared/kubernetes-schemas

# jsii runs on the local Node.js 22 (node_modules/.bin/node), not the machine's end-of-life one.
export JSII_NODE := $(CURDIR)/node_modules/.bin/node
# Some machines set this; it would make every run recompile the 2.8 MB imports/k8s module.
unexport PYTHONDONTWRITEBYTECODE

AUDIT_VENV := .venv-audit
CHECKOV_VERSION := 3.3.30
AUDIT_DIR := build/audit

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help setup synth synth-envs validate test test-matrix lint typecheck snapshot-update options schema audit bench imports lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

setup: $(VENV_STAMP) $(NODE_STAMP) ## install the Python (.venv/) and node (node_modules/) packages

$(VENV_STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	# the library, webapp_constructs (constructs/webapp_constructs/), as any project installs it, but editable
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	$(PY) -m compileall -q imports
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	# fills Node.js's compile cache of the cdk8s CLI (scripts/cdk8s-guard.js): its first runs take twice as long
	$(JSII_NODE) node_modules/.bin/cdk8s --version > /dev/null
	touch $@

synth: setup ## synthesize $(VALUES) (default preset) into $(OUTDIR)/
	$(PY) main.py --values $(VALUES) --outdir $(OUTDIR)

synth-envs: setup ## render every environment of environments.yaml into $(OUTDIR)/<name>/, in one run
	$(PY) main.py envs --outdir $(OUTDIR)

validate: setup ## validate every manifest under $(OUTDIR) against Kubernetes 1.27, strictly (offline)
	find $(OUTDIR) -name '*.yaml' -print0 | sort -z | xargs -0 --no-run-if-empty $(VENV)/bin/kubernetes-validate --quiet --strict -k 1.27.0

test: setup ## run the tests, the linter and the type checker (mypy beside the tests: ~10 s cold)
	@$(PY) -m compileall -q constructs values_app examples  # the programs the tests start reuse it
	@# every result is shown whatever fails first, and mypy never outlives the recipe (Ctrl-C included)
	@mkdir -p build; $(PY) -m mypy > build/mypy.log 2>&1 & types=$$!; \
	trap 'kill $$types 2>/dev/null || true' EXIT; \
	tests=0; $(PY) -m pytest || tests=$$?; \
	lint=0; { $(PY) -m ruff check . && $(PY) -m ruff format --check .; } || lint=$$?; \
	typed=0; wait $$types || typed=$$?; cat build/mypy.log; \
	echo "pytest: exit $$tests, ruff: exit $$lint, mypy: exit $$typed"; \
	[ $$tests -eq 0 ] && [ $$lint -eq 0 ] && [ $$typed -eq 0 ]

test-matrix: setup ## make test on the newest PyYAML, Python 3.13 and pyproject's lowest pins (venvs under build/matrix/; minutes)
	scripts/test-matrix $(LEGS)

lint: setup ## ruff: lint and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: setup ## mypy --strict
	$(PY) -m mypy

snapshot-update: setup ## re-record the preset snapshots after an intended change (review the diff!)
	$(PY) -m pytest -n 0 --snapshot-update tests/test_presets.py tests/test_examples.py

options: setup ## regenerate the *Options TypedDicts from their props classes (commit them)
	$(PY) scripts/props_options.py

schema: setup ## regenerate values.schema.json from the values model (commit it)
	$(PY) -m values_app.schema values.schema.json

audit: setup $(AUDIT_VENV)/.installed ## checkov's Kubernetes checks on every preset's output; fails on any finding
	rm -rf $(AUDIT_DIR)
	# rendered without any secret value: real secrets never land in $(AUDIT_DIR)
	for values in values/*.yaml; do \
	  env -i PATH="$$PATH" HOME="$$HOME" $(PY) main.py --quiet --values $$values --outdir $(AUDIT_DIR)/$$(basename $$values .yaml) || exit 1; \
	done
	# --skip-download: offline, without Prisma Cloud's guideline links (it would print a traceback)
	$(AUDIT_VENV)/bin/checkov --directory $(AUDIT_DIR) --framework kubernetes --compact --quiet --skip-download

$(AUDIT_VENV)/.installed: # checkov is big and has its own pins: it gets a venv of its own, on demand
	test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

bench: setup ## time synth against a bare cdk8s-plus-27 app and per extra service, and diff per object (prints figures)
	$(PY) bench/synth_bench.py
	$(PY) bench/diff_bench.py

imports: $(NODE_STAMP) ## regenerate imports/k8s offline from $(SCHEMAS)
	rm -rf imports/k8s
	$(JSII_NODE) scripts/import-k8s.js $(SCHEMAS) imports
	test -x $(PY) && $(PY) -m compileall -q imports || true

lock: ## re-pin constraints.txt from the current venv
	{ echo '# Every package of the venv, pinned (regenerate with: make lock).'; $(PY) -m pip freeze --exclude-editable; } > constraints.txt

clean: ## remove dist/ and caches (keeps .venv/ and node_modules/)
	rm -rf $(OUTDIR) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

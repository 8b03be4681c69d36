# dpp-evidence: every set-up step for a fresh Debian 12 machine with Python 3.11, run as root.
#   make demo   set up, run the main job on samples/, write PDFs and the auditor pack to out/
#   make test   set up (PostgreSQL included) and run the whole test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests and the demo need: PDF tools, NSS tools for pdfsig, Graphviz for
# data-flow diagrams, fonts for the reports, OpenSSL for throwaway keys and TLS test servers,
# Chromium and its WebDriver for the browser test of the HTML report set.
APT_PACKAGES := poppler-utils libnss3-tools graphviz fonts-dejavu-core libharfbuzz-subset0 openssl postgresql \
	chromium chromium-driver
PG_SOCKET := /var/run/postgresql
export EVIDENCE_TEST_PG_URL ?= postgresql+psycopg://root@/postgres?host=$(PG_SOCKET)

.PHONY: help
help:
	@echo "make demo   - set everything up and run the sample developer's job (PDFs and auditor pack in $(OUT)/)"
	@echo "make test   - set everything up (PostgreSQL included) and run the test suite"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - run the benchmarks in benchmarks/"

.PHONY: system-deps
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml constraints.txt
	@if ! $(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then \
	  echo "Python 3.11 or newer is required (found: $(PYTHON))"; exit 1; fi
	@if [ ! -x $(BIN)/python ]; then \
	  rm -rf $(VENV); \
	  if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	    echo "python3-venv is missing: installing it"; rm -rf $(VENV); \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv >/dev/null; \
	    $(PYTHON) -m venv $(VENV); \
	  fi; \
	fi
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

.PHONY: setup
setup: system-deps $(STAMP)

# Start (creating if needed) the local PostgreSQL cluster, and give root a superuser role
# reached over the Unix socket with peer authentication: no password anywhere.
.PHONY: postgres
postgres: system-deps
	@cluster=$$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $$1" "$$2}'); \
	if [ -z "$$cluster" ]; then \
	  version=$$(ls /usr/lib/postgresql | sort -n | tail -1); \
	  $(SUDO) pg_createcluster $$version main >/dev/null; cluster="$$version main"; \
	fi; \
	status=$$(pg_lsclusters -h | awk -v c="$$cluster" '$$1" "$$2==c {print $$4}'); \
	if [ "$$status" != "online" ]; then $(SUDO) pg_ctlcluster $$cluster start; fi
	@for i in $$(seq 1 30); do pg_isready -q -h $(PG_SOCKET) && break; sleep 0.5; done
	@if [ "$$(id -u)" = 0 ]; then \
	  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'root'\"" | grep -q 1 \
	    || su postgres -c "createuser --superuser root"; \
	fi
	@echo "PostgreSQL ready: $(EVIDENCE_TEST_PG_URL)"

# A throwaway CA and signing key, made fresh for every demo and never committed (git-ignored):
# samples/evidence.toml names it in [signing], so the demo's sign-off writes signed copies beside the PDFs.
DEMO_KEYS := samples/.demo-keys

.PHONY: demo
demo: setup
	@rm -rf samples/.evidence $(DEMO_KEYS)
	@$(BIN)/python samples/signing/make_demo_key.py $(DEMO_KEYS)
	@mkdir -p $(DEMO_KEYS)/nssdb && certutil -N --empty-password -d sql:$(DEMO_KEYS)/nssdb \
	  && certutil -A -n "dpp-evidence demo CA" -t "CT,C,C" -i $(DEMO_KEYS)/demo-ca.pem -d sql:$(DEMO_KEYS)/nssdb
	@# The quarter before, collected and evaluated, so the quarterly review has something to compare with.
	@$(BIN)/evidence collect --config samples/evidence.toml --period 2026-Q2 --quiet
	@$(BIN)/evidence evaluate --config samples/evidence.toml --period 2026-Q2 --json > /dev/null || [ $$? -eq 3 ]
	@set +e; $(BIN)/evidence run --config samples/evidence.toml --out $(OUT); code=$$?; set -e; \
	if [ $$code -eq 3 ]; then echo "demo: gaps found (exit 3), as the sample developer has deliberate gaps; PDFs in $(OUT)/"; \
	elif [ $$code -ne 0 ]; then echo "demo failed (exit $$code)"; exit $$code; fi
	@$(BIN)/evidence review --config samples/evidence.toml --out $(OUT)
	@# The auditor chooses the seed; the size comes from the sample-size table (docs/sampling.md).
	$(BIN)/evidence sample DPP-ACC-3 --seed 2026-10-05 --seed-from "demo auditor" --config samples/evidence.toml
	@# Rendered again so the attestation's appendix shows the draw; still unsigned.
	@$(BIN)/evidence report --config samples/evidence.toml --out $(OUT) --quiet > /dev/null
	@# The security lead approves the reports, and they are signed then (and the approval sealed).
	$(BIN)/evidence sign-off --config samples/evidence.toml --as "Priya Raman" --role "Security Lead"
	@ls -1 $(OUT)/*.pdf
	$(BIN)/evidence pack --config samples/evidence.toml --out $(OUT)/auditor-pack-2026-Q3.zip
	$(BIN)/evidence verify $(OUT)/auditor-pack-2026-Q3.zip
	@echo "check a signature: pdfsig -nssdir sql:$(DEMO_KEYS)/nssdb $(OUT)/gap-report-2026-Q3.signed.pdf"

.PHONY: test
test: setup postgres
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

.PHONY: lint
lint: $(STAMP)
	$(BIN)/ruff check evidence tests benchmarks
	$(BIN)/mypy

.PHONY: bench
bench: setup postgres
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

.PHONY: clean
clean:
	rm -rf $(VENV) $(OUT) samples/.evidence $(DEMO_KEYS) .pytest_cache .mypy_cache .ruff_cache build dist

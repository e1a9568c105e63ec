# SPDX-License-Identifier: EUPL-1.2
# The two commands of the README: `make demo` and `make test`. Both install
# what is missing and bring the local stack up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
# Settings for the local stack, written by deploy/local/up.
STACK_ENV := set -a && source var/archief.env && set +a

.PHONY: help install up down status demo test lint typecheck pytest bench bench-search bench-audit clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 not found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/.installed ## create .venv and install archief with its dev tools

up: ## install and start Elasticsearch, MinIO, PostgreSQL, Redis (and check Tesseract)
	deploy/local/up

down: ## stop the local stack (data stays in ./var)
	deploy/local/down

status: ## show what runs
	deploy/local/status

demo: install up ## ingest the sample documents, show a search, serve the API
	$(STACK_ENV) && $(BIN)/archief demo

lint: install ## ruff, formatting and the import contract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install ## mypy --strict
	$(BIN)/mypy

pytest: install up ## the test suite against the real services
	$(STACK_ENV) && $(BIN)/pytest $(PYTEST_ARGS)

test: install up lint typecheck pytest ## everything CI runs

$(BIN)/.bench-installed: pyproject.toml $(BIN)/.installed
	$(BIN)/pip install -q -e '.[dev,bench]'
	@# OCRmyPDF 16 (the release Paperless-ngx pins) rasterises with Ghostscript.
	@command -v gs >/dev/null || { apt-get update -q && apt-get install -y --no-install-recommends ghostscript; }
	@touch $@

bench: $(BIN)/.bench-installed up ## print performance figures against the peers (bench/)
	$(STACK_ENV) && $(BIN)/python -m bench

bench-audit: $(BIN)/.bench-installed up ## what the audit trail costs per read, and verify speed
	$(STACK_ENV) && $(BIN)/python -m bench.audit

bench-search: $(BIN)/.bench-installed up ## search latency with and without the permission filter (100k records)
	$(STACK_ENV) && $(BIN)/python -W ignore -m bench.search

clean: ## remove the virtualenv and caches (not ./var)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

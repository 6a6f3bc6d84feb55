# Two commands: `make run` (site + worker + demo course on embedded defaults) and
# `make test` (everything the tests need, then all of them). Both install from scratch.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
# Debian packages: bubblewrap libseccomp2 chromium graphviz redis-server redis-tools docker-compose nodejs npm
# (and for the deployment: docker.io, debootstrap)

.PHONY: run test setup system-deps venv node-deps services lint typecheck fmt clean docker \
	deploy-build deploy-test

setup: system-deps venv

# Debian packages the project needs, installed only when a command is missing.
system-deps:
	@missing=""; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	ldconfig -p | grep -q libseccomp.so.2 || missing="$$missing libseccomp2"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server redis-tools"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch is pinned to the CPU wheel (torch==2.13.0); an unpinned torch pulls CUDA.
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Test tools from the npm registry, pinned in package-lock.json, into ./node_modules:
# axe-core, which the browser tests run on every page kind (tests/browser/axe.py).
node-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Redis for the tests that go through a real broker (started if not answering).
services:
	@scripts/ensure-redis.sh

run: setup
	@scripts/run.sh

test: setup node-deps services lint typecheck
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py checkcourse
	CELERY_BROKER_URL=$${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
	  $(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

typecheck:
	$(PY) -m mypy .

fmt:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# The Docker engine for the deployment targets: installed when absent, its daemon
# started when not answering (deploy/ensure-docker.sh).
docker:
	@deploy/ensure-docker.sh

# Every image of docker-compose.yml, built here from package registries only (cached).
deploy-build: setup docker
	PIP=$(VENV)/bin/pip deploy/build.sh

# The stack really run: build, up, grade through the API, kill the worker, down -v.
deploy-test: deploy-build
	$(PY) scripts/deploy_test.py

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache

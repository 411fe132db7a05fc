# Activateurs: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
PACKAGES := shared services/notifier services/registration services/validation services/directory services/contact-relay services/web
WEB := services/web
WEB_ASSETS := $(WEB)/build/static/.built
STAMP := $(VENV)/.installed

.PHONY: install web-assets browser haproxy screenshots run demo test lint bench lock dependencies compose-config clean

## install: create .venv with the locked dependencies (requirements-dev.lock) and the project's packages (editable)
install: $(STAMP)

$(STAMP): requirements-dev.lock $(addsuffix /pyproject.toml,$(PACKAGES))
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install -q "uv==$(UV_VERSION)"
	$(UV) pip sync -q --python $(PY) requirements-dev.lock
	$(UV) pip install -q --python $(PY) --no-deps $(addprefix -e ,$(PACKAGES))
	@touch $@

## web-assets: the DSFR and axe-core from the npm lock (npm ci), then the web's static bundle (hashed, compressed)
web-assets: $(WEB_ASSETS)

$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

$(WEB_ASSETS): $(WEB)/node_modules/.package-lock.json $(STAMP) $(wildcard $(WEB)/src/activateurs/web/static/*)
	$(VENV)/bin/activateurs-web build-static

## browser: Debian's Chromium for the browser tests (installed with apt-get when missing; never downloaded otherwise)
browser:
	@deploy/local/browser.sh

## haproxy: Debian's HAProxy, which the RabbitMQ cluster fault test puts in front of its nodes (apt-get when missing)
haproxy:
	@deploy/local/haproxy.sh

## dependencies: make sure PostgreSQL and RabbitMQ answer (starts local ones if stopped)
dependencies:
	@deploy/local/dependencies.sh

## run: everything up in the foreground (databases, migrations, five services, mail sink); Ctrl-C stops it
run: install web-assets dependencies
	$(PY) deploy/local/run.py

## demo: with `make run` up in another terminal, plays the whole story (account to contact request), step by step
demo: install
	$(PY) deploy/demo/demo.py

## test: lint, then the whole suite against the real PostgreSQL, RabbitMQ and an SMTP server on loopback:
##   on PYTEST_WORKERS (2) pytest-xdist workers, then the tests marked `serial` (they stop shared servers) alone.
##   PYTEST_ARGS go to both runs; a run that selects nothing (exit 5) is not a failure.
PYTEST_WORKERS ?= 2
test: install web-assets browser haproxy dependencies lint
	@status=0; \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder -m "not serial" $(PYTEST_ARGS) \
		|| { code=$$?; [ $$code -eq 5 ] || status=$$code; }; \
	$(PY) -m pytest -m serial $(PYTEST_ARGS) || { code=$$?; [ $$code -eq 5 ] || status=$$code; }; \
	exit $$status

## screenshots: the main pages as PNG, desktop and mobile widths, in var/screenshots/ (real services, real browser)
screenshots: install web-assets browser dependencies
	$(PY) deploy/local/screenshots.py

## lint: ruff (pyflakes, import order, syntax)
lint: install
	$(VENV)/bin/ruff check .

## bench: benchmarks, each beside its bare baseline measured in the same run (ONLY=notifier: one section)
bench: install dependencies
	ONLY="$(ONLY)" $(PY) bench/run.py

## lock: re-pin requirements.lock (run time, images) and requirements-dev.lock (make run/test)
lock:
	$(UV) pip compile requirements.in -o requirements.lock --python-version 3.11 -q
	$(UV) pip compile requirements-dev.in -o requirements-dev.lock --python-version 3.11 -q

## compose-config: `docker compose config` with Compose v2 from requirements-dev.lock (no engine needed)
compose-config: install
	@mkdir -p var/docker/cli-plugins && ln -sf $(CURDIR)/$(VENV)/bin/docker-compose var/docker/cli-plugins/docker-compose
	@if command -v docker >/dev/null; then DOCKER_CONFIG=$(CURDIR)/var/docker docker compose config -q; \
	else $(VENV)/bin/docker-compose config -q; fi
	@echo 'docker-compose.yml: valid'

clean:
	rm -rf $(VENV) var .pytest_cache $(WEB)/node_modules $(WEB)/build

# The two commands of the README: `make run` and `make test`.
# Both start from a fresh clone: they create .venv and install what they need.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= demo-password-1
# Tests use the machine's real PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/rehab)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: run test install lint format migrate seed

# Reinstall only when a requirements file changed.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo --password "$(DEMO_PASSWORD)"

# Web, Celery worker (queues default, urgent, bulk) and one beat, on
# http://127.0.0.1:$(PORT). With DATABASE_URL/REDIS_URL unset: SQLite and
# Celery's filesystem transport, nothing else to install. Procfile.dev runs
# the venv's python and celery (put first on PATH here).
run: seed
	@echo "Starting on http://127.0.0.1:$(PORT)/ (the dashboard's sign-in; API docs: /api/docs/, admin: /admin/, health: /health/)"
	PATH="$(abspath $(BIN)):$$PATH" WEB_PORT=$(PORT) exec $(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

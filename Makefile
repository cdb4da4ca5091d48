# KAM — the two front-door commands are `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test venv lint typecheck checks pytest pytest-sqlite pytest-postgres browser bench openapi messages demo clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## make run: install, migrate, load demo data into an empty database, start web + worker + collector.
run: $(STAMP)
	$(BIN)/kam migrate --no-input -v0
	$(BIN)/kam demo --if-empty
	$(BIN)/kam run

demo: $(STAMP)
	$(BIN)/kam demo

## make test: every check, on SQLite and PostgreSQL, plus the browser smoke test.
test: $(STAMP) lint typecheck checks pytest-sqlite pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy kam bench

checks: $(STAMP)
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py export_openapi --check openapi.json
	$(BIN)/python manage.py check_messages

pytest-sqlite: $(STAMP)
	$(BIN)/pytest -q -p xdist -n 2 --dist loadfile

pytest-postgres: $(STAMP)
	bash scripts/test-postgres $(BIN)/pytest -q -p xdist -n 2 --dist loadfile -m "not browser"

## make bench [BENCH_ARGS="api_detail --quick"]: benchmarks against their own limit (bench/README.md).
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

openapi: $(STAMP)
	$(BIN)/python manage.py export_openapi openapi.json

messages: $(STAMP)
	$(BIN)/python manage.py update_messages

clean:
	rm -rf $(VENV) var build *.egg-info

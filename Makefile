# Palabre: `make run` serves the app on http://127.0.0.1:5000, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
MODEL := instance/model/model.skops
HOST ?= 127.0.0.1
PORT ?= 5000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run serve test test-fast lint bench bench-intake bench-load bench-phases bench-instructions bench-classifier bench-adaptation model init-db clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

init-db: $(VENV)/.installed
	$(FLASK) init-db

$(MODEL): | $(VENV)/.installed
	mkdir -p $(dir $(MODEL))
	$(FLASK) classifier train --data data/bootstrap --out $(MODEL)

model: $(MODEL)

run: init-db $(MODEL)
	@$(FLASK) sites demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C to stop)"
	$(FLASK) webhooks deliver & worker=$$!; \
	$(FLASK) classifier autotrain & trainer=$$!; trap 'kill $$worker $$trainer' EXIT; \
	PALABRE_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

serve: init-db $(MODEL)
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: $(VENV)/.installed
	$(BIN)/pytest -n 2 -m "not browser and not slow"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy classifier

bench: bench-classifier bench-intake bench-adaptation

bench-intake: $(VENV)/.installed $(MODEL)
	$(BIN)/python bench/intake.py

bench-load: $(VENV)/.installed $(MODEL)
	$(BIN)/python bench/load.py

bench-phases: $(VENV)/.installed $(MODEL)
	$(BIN)/python bench/phases.py

bench-instructions: $(VENV)/.installed $(MODEL)
	$(BIN)/python bench/instructions.py $(if $(AGAINST),--against $(AGAINST))

bench-classifier: $(VENV)/.installed
	$(BIN)/python bench/classifier.py

bench-adaptation: $(VENV)/.installed
	$(BIN)/python bench/adaptation.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache

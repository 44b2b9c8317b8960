# Two commands on a fresh machine: `make demo` and `make test`.
.PHONY: demo test lint bench-fairness help

help:
	@echo "make demo   install, load the demo organisation into SQLite, serve http://127.0.0.1:8000"
	@echo "make test   install what the tests need, start PostgreSQL, run the whole suite"
	@echo "make lint   ruff and the import-layer contracts"

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

lint:
	@bash -c 'source scripts/common.sh && ensure_uv && "$${UV[@]}" run ruff check src tests && "$${UV[@]}" run lint-imports'

# Two commands on a fresh machine: `make demo` and `make test`.
.PHONY: demo test lint audit bench-fairness help

help:
	@echo "make demo   install, load the demo organisation into SQLite, serve http://127.0.0.1:8000"
	@echo "make test   install what the tests need, start PostgreSQL, run the whole suite"
	@echo "make lint   ruff and the import-layer contracts"
	@echo "make audit  pip-audit of the locked dependencies (also run by make test)"

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

audit:
	@bash scripts/audit_dependencies.sh

lint:
	@bash -c 'source scripts/common.sh && ensure_uv && "$${UV[@]}" run ruff check src tests && "$${UV[@]}" run lint-imports'

# The README's two commands. Everything else they need is installed by scripts/bootstrap.sh.
.PHONY: run test lint format

run:
	@scripts/run.sh

test:
	@scripts/test.sh

lint:
	@scripts/bootstrap.sh >/dev/null && .venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@scripts/bootstrap.sh >/dev/null && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

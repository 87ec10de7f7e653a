# The README's two commands. Everything else they need is installed by scripts/bootstrap.sh.
.PHONY: run test fuzz load lint format

run:
	@scripts/run.sh

test:
	@scripts/test.sh

# The long schemathesis pass, as `make test` runs it but with FUZZ_EXAMPLES cases per operation
# and phase and a new seed: the schemathesis CLI (every phase and check, schemathesis.toml)
# against a live server once per persona, then the in-process pass aimed at each workflow
# state. Prints each persona's summary.
fuzz:
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-40} FUZZ_RANDOM=1 scripts/test.sh tests/api/test_fuzz_cli.py tests/api/test_fuzz.py -s -q

# gunicorn under mixed load for DURATION seconds (60), with a worker killed and PostgreSQL
# restarted on the way; prints requests, statuses and latency percentiles.
load:
	@scripts/bootstrap.sh >/dev/null && .venv/bin/python benchmarks/load.py

lint:
	@scripts/bootstrap.sh >/dev/null && .venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@scripts/bootstrap.sh >/dev/null && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

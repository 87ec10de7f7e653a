"""The schemathesis command line, as issue 22's "Done when" runs it from outside, against the
production server (gunicorn, DEBUG off) on this test's database: once per persona (anonymous,
a reader with a token and no desk group, an annotator, an editor, an admin), every phase
(examples, coverage, fuzzing, stateful), every check, with the committed schemathesis.toml,
whose each exception says why on its line. Its hook (scripts/schemathesis_hooks.py) adds HEAD
beside every GET and OPTIONS beside every operation, which schemathesis alone would not send.

`make test` runs FUZZ_EXAMPLES=3 cases per operation and phase with a fixed seed (about two
minutes); `make fuzz` runs the long pass (FUZZ_EXAMPLES=40, a new seed each time) and prints
each persona's summary. tests/test_api_fuzz.py remains the in-process pass aimed at objects in
each workflow state.
"""

import json
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from benchmarks.harness import django_env, gunicorn

from ..factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Two streams at once: the readers, who change nothing, beside the desk, whose writes (a span
# deleted, a ruling retracted) would race each other's checks if they ran together.
STREAMS = [("anonymous", "reader"), ("annotator", "editor", "admin")]

# gunicorn serves what this test committed: the data must really be in the database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def server(world):
    """gunicorn (2 workers, DEBUG off, throttles off: thousands of requests from one address are
    the point here) on the test database, with the world in it."""
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    # Errors only in the log: thousands of expected 4xx would bury the summary `make fuzz` prints.
    env = django_env(database_url, LOG_LEVEL="ERROR")
    with gunicorn(env, workers=2, options=["--log-level=error"]) as (_, port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def authorization(world, alice, erin, root):
    reader = UserFactory(username="reader", is_staff=False)
    users = {"reader": reader, "annotator": alice, "editor": erin, "admin": root}
    tokens = {name: Token.objects.get_or_create(user=user)[0].key for name, user in users.items()}
    return {"anonymous": None, **{name: f"Token {key}" for name, key in tokens.items()}}


HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def schemathesis_run(url, authorization, report):
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        f"{url}/api/v1/schema/?format=json",
        "--max-examples",
        str(EXAMPLES),
        # One worker: with two, Python 3.11's ast.parse (which Hypothesis calls to describe
        # filters) fails now and then across threads ("AST constructor recursion depth
        # mismatch"), an error of the fuzzer, not of the API.
        "--workers",
        "1",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        "--output-truncate",
        "true",
    ]
    if not os.environ.get("FUZZ_RANDOM"):
        command += ["--seed", "22", "--generation-deterministic"]
    if authorization:
        command += ["--header", f"Authorization: {authorization}"]
    # From the repository root: the configuration names its hook by a relative path.
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)  # noqa: S603
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    return run, json.loads(report.read_text())


def summary(persona, result) -> str:
    phases = ", ".join(f"{name} {phase['status']}" for name, phase in result["phases"].items())
    cases = result["test_cases"]
    return (
        f"fuzz {persona}: {cases['generated']} cases over {result['operations']['tested']} "
        f"operations in {result['running_time']:.0f} s; {cases['unique_failures']} failures, "
        f"{len(result['errors'])} errors; {phases}"
    )


def test_schemathesis_finds_nothing_as_any_persona(server, authorization, tmp_path):
    def stream(personas):
        return {p: schemathesis_run(server, authorization[p], tmp_path / p) for p in personas}

    with ThreadPoolExecutor(len(STREAMS)) as pool:
        results = {}
        for done in pool.map(stream, STREAMS):
            results.update(done)
    # `make fuzz` prints these lines.
    print()
    for persona, (_, result) in results.items():
        print(summary(persona, result))
    # Every operation the document lists, counted from the document the server serves.
    with urllib.request.urlopen(f"{server}/api/v1/schema/?format=json") as response:  # noqa: S310
        paths = json.load(response)["paths"]
    documented = sum(1 for item in paths.values() for method in item if method in HTTP_METHODS)
    assert documented >= 21  # articles, spans, rulings, the workflow, ClaimReview and its feed
    for persona, (run, result) in results.items():
        output = f"{persona}:\n{run.stdout[-20_000:]}"
        assert result["operations"]["tested"] == result["operations"]["total"] == documented, output
        # Every phase ran: a skipped phase would pass for nothing.
        assert all(p["status"] != "skip" for p in result["phases"].values()), output
        assert result["failures"] == [] and result["errors"] == [], output
        assert run.returncode == 0, output

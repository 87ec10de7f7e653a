"""A schemathesis check of our own, loaded through `hooks` in schemathesis.toml (run the CLI from
the repository root): schemathesis sends the methods the document lists and, in its coverage
phase, OPTIONS among the undocumented ones, but never HEAD. This check sends HEAD beside the
GETs and OPTIONS beside every operation, once per operation and status, with the run's own
headers (so as each persona), and holds them to what the API promises:

- OPTIONS never fails: 200 with `Allow` naming exactly the document's methods of that path
  (plus OPTIONS, and HEAD beside GET), or 404 where the path itself names nothing;
- HEAD answers what the GET answered, with the same status and media type and no body.
"""

import threading

import requests
import schemathesis
from schemathesis.core.failures import Failure

_seen = set()
_lock = threading.Lock()


def _first_time(key) -> bool:
    with _lock:
        if key in _seen:
            return False
        _seen.add(key)
        return True


def _send(method, response):
    request = response.request
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return requests.request(method, request.url, headers=headers, timeout=30)


def _header(response, name):
    """A header of schemathesis' response (its names are lower-cased, each value a list)."""
    for key, values in response.headers.items():
        if key.lower() == name:
            return values[0] if isinstance(values, list) else values
    return None


@schemathesis.check
def head_and_options_answer(ctx, response, case):
    request = response.request
    if request is None or request.method not in {"GET", "POST", "PATCH", "DELETE"}:
        return None
    if not _first_time((case.operation.label, request.method, response.status_code)):
        return None
    label = case.operation.label
    documented = {m.upper() for m in case.operation.schema[case.operation.path]} & {
        "GET", "POST", "PUT", "PATCH", "DELETE",
    }  # fmt: skip
    expected = documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())

    options = _send("OPTIONS", response)
    if options.status_code == 404 and response.status_code == 404:
        pass  # a path that names nothing (a made-up id): nothing to describe
    elif options.status_code == 401 and response.status_code == 401:
        pass  # the case's own credentials are refused (a made-up token): for OPTIONS as well
    elif options.status_code == 429:
        pass  # throttled, as any request may be (make run's server throttles; the tests' not)
    elif options.status_code != 200:
        raise Failure(
            operation=label,
            title="OPTIONS failed",
            message=f"OPTIONS {request.url} answered {options.status_code}, expected 200.",
        )
    else:
        allowed = {m.strip() for m in options.headers.get("Allow", "").split(",") if m.strip()}
        if allowed != expected:
            raise Failure(
                operation=label,
                title="OPTIONS Allow mismatch",
                message=f"OPTIONS {request.url}: Allow {sorted(allowed)}, "
                f"documented {sorted(expected)}.",
            )

    if request.method == "GET":
        head = _send("HEAD", response)
        problems = []
        if head.status_code != response.status_code:
            problems.append(f"status {head.status_code}, GET {response.status_code}")
        if head.content:
            problems.append(f"a body of {len(head.content)} bytes")
        media, got = _header(response, "content-type"), head.headers.get("Content-Type")
        if got != media:
            problems.append(f"Content-Type {got!r}, GET {media!r}")
        if problems:
            raise Failure(
                operation=label,
                title="HEAD differs from GET",
                message=f"HEAD {request.url}: " + "; ".join(problems) + ".",
            )
    return None

"""What several test files share, in one copy: texts, paths, and small functions that read the
database or drive a ruling through the workflow. Personas and fixtures are in conftest.py; the
desk with a ruling in every state is world.py.
"""

import re
from pathlib import Path

from annotations import services
from annotations.models import Decision

# The repository's root: where manage.py, seeds/ and fixtures/ are.
ROOT = Path(__file__).resolve().parent.parent

API = "/api/v1/"

# The body ArticleFactory gives an article, and the quotes the tests mark in it.
BODY = "Protests began over fuel prices. Officials blamed terrorists trained abroad."
CLAIM = "terrorists trained abroad"
EVIDENCE = "fuel prices"
DISPUTED = "Protests began"

# Markup that runs script wherever a page fails to escape user text.
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
# Ends a <script> element early: what a JSON-LD block must keep in.
HOSTILE_SCRIPT_END = "</script><script>alert(2)</script>"


def reload(obj):
    """`obj` as the database holds it now, as a new instance (`obj` itself is left as it was)."""
    return type(obj).objects.get(pk=obj.pk)


def section(html, name):
    """The `<section id="name">` of a page, which must be there."""
    match = re.search(rf'<section id="{name}">.*?</section>', html, re.DOTALL)
    assert match, f"no {name} section"
    return match.group(0)


def fill(value, names):
    """A request body with its "{name}" placeholders filled in from `names` (ids stay integers)."""
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return names[value[1:-1]]
    return value


def approve(ruling, reviewer, **kwargs):
    return services.review_create(
        ruling=ruling, reviewer=reviewer, decision=Decision.APPROVE, **kwargs
    )


def drive(ruling, status, *, approvers=(), reason="New figures came out."):
    """Takes a draft `ruling` to `status` as the desk would (services.ruling_advance: its author
    submits it, each of `approvers` who did not write it approves it while it is still in review,
    the first of them retracts it with `reason`), and returns it as stored now."""
    services.ruling_advance(ruling=ruling, status=status, reviewers=approvers, reason=reason)
    ruling = reload(ruling)
    assert ruling.status == status
    return ruling


# What a ruling must name before it is submitted: the claim as checked and its claimant.
CLAIMED = {
    "claim": "The protesters were terrorists trained abroad",
    "claimant_name": "Kassym-Jomart Tokayev",
    "claimant_kind": "person",
}


def body_of(response) -> bytes:
    """A test response's body, streamed (the DataFeed, exports) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content

"""Webhooks: the events of a ruling's life (published, retracted, superseded) sent to the
endpoints admins registered, signed, retried with backoff for a day and logged.

`emit` runs inside the transaction of the state change it announces: it writes one delivery row
per endpoint and defers one job per delivery on the same connection (procrastinate's Django
connector), so a change rolled back announces nothing and a change committed cannot lose its
announcement, whatever happens to the process afterwards. The worker runs `deliver` (the task
is in annotations/tasks.py)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import roles
from ..absolute_urls import absolute
from ..errors import InvalidInput
from ..models import DeliveryStatus, Ruling, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ._guards import require

SIGNATURE_HEADER = "X-Factcheck-Signature"
TIMESTAMP_HEADER = "X-Factcheck-Timestamp"
EVENT_HEADER = "X-Factcheck-Event"
DELIVERY_HEADER = "X-Factcheck-Delivery"
# Between two attempts at most this long, however many have failed.
MAX_RETRY_GAP_SECONDS = 3600


class DeliveryFailed(Exception):
    """An attempt that did not reach a 2xx: the task raises it so the queue schedules the next."""


# --- Signing (the receiver's half is the snippet in the README) --------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + HMAC-SHA256 of "{timestamp}.{body}" under the endpoint's secret. The timestamp
    is inside the signed text so a receiver can refuse an old delivery replayed."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# --- Where a delivery may go -------------------------------------------------------------------


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global


def check_url(url: str) -> str:
    """The URL a delivery may be sent to, or InvalidInput naming `url`. https only, unless the
    host is on a private network and WEBHOOK_ALLOW_PRIVATE_NETWORKS is on; a host that resolves
    to a loopback, private, link-local or otherwise non-global address is refused unless that
    setting is on. Checked when an endpoint is saved and again before every attempt, since
    what a name resolves to can change."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url must be an https:// URL with a host name.", field="url")
    if parts.username or parts.password:
        raise InvalidInput("url must not carry a user name or password.", field="url")
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InvalidInput(
            f"url: the host {parts.hostname!r} does not resolve.", field="url"
        ) from None
    private = [info[4][0] for info in infos if _private(info[4][0])]
    if private and not allow_private:
        raise InvalidInput(
            f"url: {parts.hostname!r} resolves to {private[0]}, a loopback, private or "
            "link-local address; webhooks go only to public addresses "
            "(WEBHOOK_ALLOW_PRIVATE_NETWORKS lifts this).",
            field="url",
        )
    if parts.scheme == "http" and not private:
        raise InvalidInput(
            "url must be https:// (plain http only to a private network, when allowed).",
            field="url",
        )
    return url


def _check_events(events) -> list[str]:
    if not isinstance(events, (list, tuple)) or not events:
        raise InvalidInput(
            f"events: choose at least one of {', '.join(WebhookEvent.values)}.", field="events"
        )
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise InvalidInput(
            f"events: {unknown[0]!r} is not one of {', '.join(WebhookEvent.values)}.",
            field="events",
        )
    return sorted(set(events))


# --- Endpoints (admins only) -------------------------------------------------------------------


def endpoint_save(
    *, user, url, events, description="", active=True, endpoint: WebhookEndpoint | None = None
) -> WebhookEndpoint:
    """Registers an endpoint, or changes one. Its secret is made here and shown to the admin."""
    require(roles.is_admin(user), "Only administrators may register webhooks.")
    endpoint = endpoint or WebhookEndpoint()
    if endpoint.created_by_id is None:
        endpoint.created_by = user
    endpoint.url = check_url(url)
    endpoint.events = _check_events(events)
    endpoint.description = (description or "").strip()[:200]
    endpoint.active = bool(active)
    endpoint.save()
    return endpoint


# --- Events ------------------------------------------------------------------------------------


def payload(event: str, ruling: Ruling, *, event_id: str, at: datetime) -> dict:
    """What a receiver is told. Links are absolute when FACTCHECK_PUBLIC_BASE_URL is set (a
    worker has no request to take a host from), else paths."""
    superseded_by = getattr(ruling, "superseded_by", None) if ruling.pk else None
    return {
        "id": event_id,
        "event": event,
        "created": at.isoformat(),
        "ruling": {
            "slug": ruling.slug,
            "statement": ruling.statement,
            "claim": ruling.claim,
            "claimant": ruling.claimant_name,
            "rating": ruling.rating,
            "status": ruling.status,
            "version": ruling.version,
            "published_at": ruling.published_at.isoformat() if ruling.published_at else None,
            "retraction_reason": ruling.retraction_reason,
            "supersedes": ruling.supersedes.slug if ruling.supersedes_id else None,
            "superseded_by": superseded_by.slug if superseded_by else None,
            "url": absolute(None, reverse("ruling-page", args=[ruling.slug])),
            "api_url": absolute(None, reverse("api:ruling-detail", args=[ruling.slug])),
        },
    }


def emit(event: str, ruling: Ruling) -> list[WebhookDelivery]:
    """Announces `event` about `ruling` to every active endpoint that wants it. Call it inside
    the transaction of the change: the rows and the jobs commit or roll back with it."""
    from ..tasks import deliver_webhook  # the task module imports this one

    if event not in WebhookEvent.values:
        raise ValueError(f"not a webhook event: {event!r}")
    endpoints = list(WebhookEndpoint.objects.filter(active=True, events__contains=[event]))
    if not endpoints:
        return []
    now = timezone.now()
    body = json.dumps(
        payload(event, ruling, event_id=str(uuid.uuid4()), at=now),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, ruling=ruling, body=body)
        for endpoint in endpoints
    )
    give_up_at = (now + timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS)).timestamp()
    for delivery in deliveries:
        deliver_webhook.defer(delivery_id=delivery.pk, give_up_at=give_up_at)
    return deliveries


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, user) -> WebhookDelivery:
    """Sends a delivery again (the same body, a new signature), with a new day of retries."""
    from ..tasks import deliver_webhook

    require(roles.is_admin(user), "Only administrators may redeliver webhooks.")
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status = DeliveryStatus.PENDING
    delivery.save(update_fields=["status"])
    give_up_at = time.time() + settings.WEBHOOK_RETRY_FOR_SECONDS
    deliver_webhook.defer(delivery_id=delivery.pk, give_up_at=give_up_at)
    return delivery


# --- Delivering (run by the worker) ------------------------------------------------------------


def retry_delay(attempts: int, *, now: float, give_up_at: float) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones (1 or more): base, 2×base,
    4×base, ... at most MAX_RETRY_GAP_SECONDS apart; None once the next would be past
    `give_up_at`."""
    exponent = min(attempts - 1, 30)  # 2**30 × base is past any cap; spares a huge integer
    delay = min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2**exponent, MAX_RETRY_GAP_SECONDS)
    return None if now + delay > give_up_at else delay


def deliver(delivery_id: int, *, give_up_at: float, attempt: int) -> WebhookDelivery:
    """One attempt, the `attempt`-th of its job (1 the first time; a redelivery is a new job and
    starts its backoff again): POSTs the body, records what happened, and raises DeliveryFailed
    when the queue should try again (returns normally once delivered or given up)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.status == DeliveryStatus.DELIVERED:
        return delivery  # a job run again after its worker died once the receiver had answered
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(time.time())
    status_code, error, started = None, "", time.monotonic()
    try:
        if not endpoint.active:
            raise InvalidInput("the endpoint was turned off", field="active")
        url = check_url(endpoint.url)
        response = httpx.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "factcheck-webhooks/1",
                EVENT_HEADER: delivery.event,
                DELIVERY_HEADER: str(delivery.pk),
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            # A redirect could lead anywhere, a private address included: not followed.
            follow_redirects=False,
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"answered {status_code}: {response.text[:500]}"
    except InvalidInput as exc:
        error = f"refused: {exc.message}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    elapsed_ms = round((time.monotonic() - started) * 1000)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_response_ms = elapsed_ms if status_code is not None else None
    delivery.last_error = error
    delivery.last_attempt_at = now
    retry = None
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
    else:
        retry = retry_delay(attempt, now=now.timestamp(), give_up_at=give_up_at)
        if retry is None:
            delivery.status = DeliveryStatus.FAILED
    delivery.save()
    if retry is not None:
        raise DeliveryFailed(error)
    return delivery

"""The task queue's jobs (procrastinate, kept in PostgreSQL). Thin: each calls a service.

The worker is `manage.py procrastinate worker` (make run starts one beside the web server)."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import close_old_connections
from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app

from .services import webhooks

WEBHOOKS_QUEUE = "webhooks"


class UntilGiveUp(BaseRetryStrategy):
    """The webhook backoff of services.webhooks.retry_delay, until the job's own `give_up_at`
    (a day after the event, or after a manual redelivery). One rule for both: the task marks a
    delivery failed exactly when this declines to retry."""

    def get_retry_decision(self, *, exception, job):
        delay = webhooks.retry_delay(
            job.attempts + 1, now=time.time(), give_up_at=job.task_kwargs["give_up_at"]
        )
        return None if delay is None else RetryDecision(retry_in={"seconds": delay})


@app.task(queue=WEBHOOKS_QUEUE, retry=UntilGiveUp(), pass_context=True)
def deliver_webhook(context, *, delivery_id: int, give_up_at: float):
    # A worker thread keeps its connection between jobs; one the database dropped meanwhile
    # (a restart) is replaced rather than failing the attempt.
    close_old_connections()
    webhooks.deliver(delivery_id, give_up_at=give_up_at, attempt=context.job.attempts + 1)


@app.periodic(cron=settings.WEBHOOK_STALLED_CHECK_CRON)
@app.task(queue=WEBHOOKS_QUEUE, queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp):
    """Runs again the jobs of a worker that died mid-job (no heartbeat for a while): a delivery
    under way when its process was killed is attempted again, not lost. A receiver may then see
    the same delivery twice; its X-Factcheck-Delivery header says so."""
    stalled = await context.app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.WEBHOOK_STALLED_AFTER_SECONDS
    )
    for job in stalled:
        await context.app.job_manager.retry_job(job)

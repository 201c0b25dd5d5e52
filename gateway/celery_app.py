"""The Celery application for production: Redis broker, one queue per workload, late acks.

Every registered job (gateway/jobs.py) becomes a Celery task of the same name, routed to its
queue. Workers build their runtime once from settings. Late acknowledgement plus
`reject_on_worker_lost` means a killed worker's task is delivered again; jobs are written to
be safe to run twice. Long waits (retry backoff, batch windows, ack due times) are "not
before" times in the database picked up by the sweep, never long ETAs in the broker (a Redis
visibility-timeout trap)."""

from __future__ import annotations

from functools import cache
from typing import Any

from celery import Celery
from kombu.entity import Exchange, Queue

from gateway import jobs
from gateway.runtime import Runtime
from gateway.settings import Settings, load_settings

# Periodic jobs and their intervals (seconds), for Celery beat and the embedded timer alike:
# the sweep keeps "not before" times and stuck work within seconds of due; partners' SFTP
# servers are asked each minute which are due (each has its own interval in its profile).
PERIODIC_JOBS = {
    "pipeline.sweep": 15.0,
    "inbound.poll_sftp_partners": 60.0,
    "outbound.poll_odoo_tenders": 60.0,
}
# short countdowns only: anything longer waits in the database for the sweep
MAX_BROKER_COUNTDOWN_S = 60.0


@cache
def worker_runtime(app: Celery) -> Runtime:
    """The worker process's runtime; the work it hands on goes back through Celery."""
    runtime = Runtime.from_settings(load_settings(), migrate=False)
    runtime.enqueue = CeleryDispatcher(app).enqueue
    return runtime


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or load_settings()
    if not settings.broker_url:
        raise RuntimeError("EDIGW_BROKER_URL is not set: the embedded mode has no Celery")
    jobs.load_job_modules()
    app = Celery("edigw", broker=settings.broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="intake",
        # each queue its own routing key: without one, Celery binds every queue to the
        # default key and a message sent to one queue is copied into all of them
        task_queues=[
            Queue(name, Exchange(name, type="direct"), routing_key=name)  # type: ignore[no-untyped-call]
            for name in jobs.QUEUES
        ],
        broker_transport_options={"visibility_timeout": 3600},
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        beat_schedule={
            name: {
                "task": name,
                "schedule": interval,
                "options": {"queue": jobs.REGISTRY[name].queue},
            }
            for name, interval in PERIODIC_JOBS.items()
        },
    )
    for spec in jobs.REGISTRY.values():
        _register(app, spec)
    return app


def _register(app: Celery, spec: jobs.JobSpec) -> None:
    def run(*args: Any) -> Any:
        return spec.fn(worker_runtime(app), *args)

    app.task(name=spec.name, queue=spec.queue)(run)


class CeleryDispatcher:
    """`Runtime.enqueue` for production: send by name to the job's queue."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def enqueue(
        self, name: str, *args: Any, countdown: float | None = None, queue: str | None = None
    ) -> None:
        """Send job `name` to its queue, or to `queue` (e.g. `finance` for invoices)."""
        spec = jobs.REGISTRY[name]
        if countdown is not None:
            countdown = min(countdown, MAX_BROKER_COUNTDOWN_S)
        self.app.send_task(name, args=list(args), queue=queue or spec.queue, countdown=countdown)

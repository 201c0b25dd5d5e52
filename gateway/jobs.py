"""Work units of the pipeline, and the two ways of running them.

A job is a plain function `fn(runtime, *ids)` registered under a dotted name and a queue
(`intake`, `realtime`, `finance`, `outbound`, `acks`). Jobs take ids, never objects, and are
safe to run twice: the database state decides whether work remains. The same registry
feeds Celery workers (production, `EDIGW_BROKER_URL` set; see gateway/celery_app.py) and the
in-process dispatcher below (the embedded default: no broker, a few threads)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from queue import Queue
from typing import Any

from gateway.runtime import Runtime

log = logging.getLogger(__name__)

QUEUES = ("intake", "realtime", "finance", "outbound", "acks")

JobFn = Callable[..., Any]


@dataclass(frozen=True)
class JobSpec:
    name: str
    queue: str
    fn: JobFn


REGISTRY: dict[str, JobSpec] = {}


def job(name: str, queue: str) -> Callable[[JobFn], JobFn]:
    """Register `fn(runtime, *args)` as the job `name` on `queue`."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def register(fn: JobFn) -> JobFn:
        REGISTRY[name] = JobSpec(name, queue, fn)
        return fn

    return register


def load_job_modules() -> None:
    """Import the modules that register the pipeline's jobs (the faces and workers call this;
    the runtime layer itself never imports the pipeline)."""
    import importlib

    for module in ("inbound.tasks", "outbound.tasks"):
        importlib.import_module(module)


class InProcessDispatcher:
    """Runs jobs on worker threads inside the gateway process (the embedded default).

    A delayed job (`countdown`) waits on a timer; anything lost on a crash is found again by
    the sweeper, exactly as with a broker."""

    def __init__(self, runtime: Runtime, threads: int = 2) -> None:
        self.runtime = runtime
        self._queue: Queue[tuple[str, tuple[Any, ...]] | None] = Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"edigw-job-{i}", daemon=True)
            for i in range(threads)
        ]
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0

    def start(self) -> InProcessDispatcher:
        for thread in self._threads:
            thread.start()
        return self

    def enqueue(
        self, name: str, *args: Any, countdown: float | None = None, queue: str | None = None
    ) -> None:
        """Run job `name` soon (after `countdown` seconds); `queue` only matters to Celery."""
        if name not in REGISTRY:
            raise KeyError(f"no job named {name!r}")
        if countdown and countdown > 0:
            timer = threading.Timer(countdown, self._put, (name, args))
            timer.daemon = True
            with self._lock:
                self._timers.add(timer)
            timer.start()
        else:
            self._put(name, args)

    def _put(self, name: str, args: tuple[Any, ...]) -> None:
        # a delayed job counts as pending only once its timer fires: `wait_idle` means
        # "nothing queued or running now", not "nothing scheduled"
        with self._lock:
            self._pending += 1
        self._queue.put((name, args))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            name, args = item
            try:
                REGISTRY[name].fn(self.runtime, *args)
            except Exception:
                log.exception("job %s%r failed; the sweeper will retry it", name, args)
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until no job is queued or running (tests and the CLI use it)."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

"""Scenario runs queued by the API: one at a time on a worker thread, a small bounded queue.

A run gets its id when it is queued (the id the store records it under once it starts), so
a client polls one address from the POST to the results. While it runs, its progress
(draws done of the total) is held here; the store holds everything else (status, timings,
results). Beyond ``max_pending`` queued runs a new one is refused (the API answers 429).
"""

from __future__ import annotations

import datetime as dt
import math
import queue
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from lahar.data import IOTable, ParameterSet
from lahar.network import Network
from lahar.scenarios import BLOCK, Scenario, run_scenario
from lahar.store import Store

__all__ = ["Job", "QueueFull", "RunQueue", "chunk_for"]

_PROGRESS_STEPS = 20
_KEEP_JOBS = 200


class QueueFull(Exception):
    """The queue holds ``max_pending`` runs already."""


class _Stopped(Exception):
    """The server is shutting down: the run in progress stops (and is recorded as failed)."""


def chunk_for(draws: int) -> int:
    """Draws per chunk: a multiple of :data:`~lahar.scenarios.BLOCK` giving ~20 progress steps.

    A multiple of ``BLOCK`` is kept as is by :func:`~lahar.scenarios.run_scenario`, so chunk
    ``k`` ends at draw ``min((k + 1) * chunk, draws)``.

    Examples
    --------
    >>> chunk_for(100), chunk_for(64 * 40)
    (64, 128)
    """
    return BLOCK * max(1, math.ceil(draws / BLOCK / _PROGRESS_STEPS))


@dataclass
class Job:
    """A run queued or running in this server.

    Attributes
    ----------
    run_id : str
        The id the store records the run under.
    spec : Scenario
        The spec (with the client's overrides).
    draws, seed : int
        Monte Carlo draws and seed.
    status : str
        ``queued``, ``running``, ``done`` or ``failed``.
    draws_done : int
        Draws evaluated so far.
    created_at : str
        When it was queued (UTC, ISO 8601).
    error : str or None
        Why it failed.
    """

    run_id: str
    spec: Scenario
    draws: int
    seed: int
    status: str = "queued"
    draws_done: int = 0
    created_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()
    )
    error: str | None = None


class RunQueue:
    """One worker thread running queued scenario runs into a store.

    Parameters
    ----------
    store : Store
        Where runs are recorded.
    network, params, table
        The data every run uses (the store's network, the parameters, the BEA table).
    max_pending : int, default 4
        Runs that may wait while one runs; more are refused with :class:`QueueFull`.
    """

    def __init__(
        self,
        store: Store,
        network: Network,
        params: ParameterSet,
        table: IOTable,
        *,
        max_pending: int = 4,
    ) -> None:
        self.store = store
        self.network = network
        self.params = params
        self.table = table
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ client side
    def submit(self, spec: Scenario, *, draws: int, seed: int) -> Job:
        """Queue a run; return its job (with the run id).

        Raises
        ------
        QueueFull
            ``max_pending`` runs are waiting already.
        """
        with self._lock:
            waiting = sum(j.status == "queued" for j in self._jobs.values())
            if waiting >= self.max_pending:
                raise QueueFull(
                    f"{waiting} runs are waiting already (at most {self.max_pending}); "
                    "try again when one has finished."
                )
            job = Job(str(uuid.uuid4()), spec, draws, seed)
            self._jobs[job.run_id] = job
            while len(self._jobs) > _KEEP_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in ("queued", "running"):
                    break
                self._jobs.pop(oldest)
            self._start()
        self._queue.put(job)
        return job

    def job(self, run_id: str) -> Job | None:
        """The job of a run queued in this server, or None."""
        with self._lock:
            return self._jobs.get(run_id)

    def queued(self) -> list[Job]:
        """Runs waiting to start (not yet in the store), newest first."""
        with self._lock:
            return [j for j in reversed(self._jobs.values()) if j.status == "queued"]

    def close(self, timeout: float = 10.0) -> None:
        """Stop the worker: the run in progress stops at its next chunk, queued runs are dropped."""
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    # ------------------------------------------------------------------ worker
    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="lahar-runs", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while not self._stop.is_set():
            job = self._queue.get()
            if job is None or self._stop.is_set():
                break
            self._run(job)

    def _run(self, job: Job) -> None:
        chunk = chunk_for(job.draws)

        def progress(done: int, total: int) -> None:
            job.draws_done = min(done * chunk, job.draws)
            if self._stop.is_set():
                raise _Stopped("the server stopped")

        job.status = "running"
        try:
            run_scenario(
                job.spec,
                draws=job.draws,
                seed=job.seed,
                chunk=chunk,
                network=self.network,
                params=self.params,
                table=self.table,
                store=self.store,
                progress=progress,
                run_id=job.run_id,
            )
        except Exception as exc:  # the run is recorded as failed; its reason is kept here
            job.error = _one_line(exc)
            job.status = "failed"
        else:
            job.status = "done"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def job_summary(job: Job) -> dict[str, Any]:
    """The fields of a queued job that the API shows before the store knows the run."""
    return {
        "run_id": job.run_id,
        "command": f"run {job.spec.name}",
        "scenario": job.spec.name,
        "status": job.status,
        "created_at": job.created_at,
        "elapsed_s": None,
        "seed": job.seed,
        "draws": job.draws,
        "spec_hash": None,
        "progress": {"draws_done": job.draws_done, "draws_total": job.draws},
        "error": job.error,
    }

"""Work that a stranger's file can make long (verifying an uploaded PDF) runs in a
small pool of worker processes: at most `size` at once, each bounded in time.

A caller waits at most `wait` seconds for a free worker, then gets `PoolBusy`
(the web answers 503 with Retry-After); a job that outlives `timeout` seconds has
its worker killed (a thread could not be stopped) and raises `JobTimedOut`; the
next job starts a fresh worker. Workers are forked from a forkserver that has the
document modules loaded, never from the serving process with its threads.
"""
from __future__ import annotations

import multiprocessing
import threading

PRELOAD = ["survey_app.documents.verify"]


class PoolBusy(Exception):
    """Every worker stayed busy for longer than the caller may wait."""


class JobTimedOut(Exception):
    """The job ran longer than allowed; its worker was killed."""


class JobFailed(Exception):
    """The worker died or the job raised (the message says which)."""


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _serve(connection) -> None:
    """A worker's loop: run each (function, args) it receives, send back (ok, value)."""
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            connection.send((True, function(*args)))
        except Exception as error:  # the parent decides what a failure means
            connection.send((False, f"{type(error).__name__}: {error}"[:300]))


class Worker:
    def __init__(self):
        self.connection, child = _context().Pipe()
        self.process = _context().Process(target=_serve, args=(child,), daemon=True,
                                          name="survey_app-worker")
        self.process.start()
        child.close()

    def call(self, function, args: tuple, timeout: float):
        self.connection.send((function, args))
        if not self.connection.poll(timeout):
            raise JobTimedOut(f"no answer within {timeout} s")
        try:
            ok, value = self.connection.recv()
        except EOFError:
            raise JobFailed("the worker died") from None
        if not ok:
            raise JobFailed(value)
        return value

    def kill(self) -> None:
        self.process.kill()
        self.process.join()


class WorkerPool:
    """At most `size` jobs at once, each in its own process, each within `timeout`."""

    def __init__(self, size: int):
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._lock = threading.Lock()
        self.killed = 0      # workers killed for running too long or failing (observable in tests)

    @property
    def running(self) -> int:
        return len(self._busy)

    def run(self, function, args: tuple = (), *, timeout: float, wait: float):
        if not self._slots.acquire(timeout=wait):
            raise PoolBusy(f"{self.size} jobs already running")
        try:
            worker = self._take()
            try:
                result = worker.call(function, args, timeout)
            except (JobTimedOut, JobFailed, OSError, ValueError):
                self._drop(worker)
                raise
            self._give_back(worker)
            return result
        finally:
            self._slots.release()

    def _take(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    self._busy.add(worker)
                    return worker
        worker = Worker()
        with self._lock:
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            self._idle.append(worker)

    def _drop(self, worker: Worker) -> None:
        worker.kill()
        worker.connection.close()
        with self._lock:
            self._busy.discard(worker)
            self.killed += 1

    def close(self) -> None:
        """Kill every worker, busy ones too (their callers get JobFailed)."""
        with self._lock:
            workers, self._idle = self._idle + list(self._busy), []
        for worker in workers:
            worker.kill()


_pools: dict[int, WorkerPool] = {}
_pools_lock = threading.Lock()


def shared_pool(size: int) -> WorkerPool:
    """The process's pool of this size (one per serving process, shared by its apps)."""
    with _pools_lock:
        if size not in _pools:
            _pools[size] = WorkerPool(size)
        return _pools[size]

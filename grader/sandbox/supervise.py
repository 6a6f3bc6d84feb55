"""Watching one job: its pipes (read with caps), its process (wall clock, reaping).

``Streams`` is the worker's side of a job's pipes: it writes the request and reads
stdout, stderr and the result with caps, and says when a cap was blown.  ``wait_child``
is the zygote's side: it only watches the process (pidfd, wall clock, a stop request
from the worker) and never sees what goes through the pipes.  ``supervise`` does both
for the cold backend, whose job process is the worker's own child.

Only stdlib, no threads: one selector per loop.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

CHUNK = 65_536
# Exit code of a child whose isolation layers could not be applied (it never ran the job).
SETUP_FAILED = 71
# After the process is gone its pipes hit EOF at once (no descendants can exist); this
# bounds the wait if something odd still holds a write end.
DRAIN_AFTER_EXIT = 0.5


@dataclass
class Outcome:
    stdout: bytes
    stderr: bytes
    result: bytes
    exit_code: int | None  # None if killed by a signal
    signal: int | None
    timed_out: bool  # killed at the wall-clock deadline
    overflow: str  # "" or what was exceeded ("output", "result")
    wall_ms: float
    cpu_seconds: float = 0.0  # user + system time of the process
    zygote_failed: bool = False  # the zygote died twice on this job
    max_rss_kb: int = 0  # peak resident set of the process (shared pages included)
    oom_killed: bool = False  # the memory cgroup's OOM killer ended it


@dataclass
class ProcessEnd:
    """How a job process ended, as its parent saw it (no job data in here)."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    wall_ms: float
    cpu_seconds: float
    max_rss_kb: int


class Streams:
    """A job's pipes from the worker's side.

    Beyond the captured part, output is read and thrown away up to a flood limit after
    which the job must be stopped: printing must not be a way to keep a worker busy.
    """

    def __init__(
        self,
        stdout_fd: int,
        stderr_fd: int,
        result_fd: int,
        *,
        output_bytes: int,
        result_bytes: int,
        request_fd: int | None = None,
        request: bytes = b"",
    ) -> None:
        self.stdout_fd, self.stderr_fd, self.result_fd = stdout_fd, stderr_fd, result_fd
        self.result_bytes = result_bytes
        self.flood = max(16 * output_bytes, 1 << 20)
        self.buffers = {stdout_fd: bytearray(), stderr_fd: bytearray(), result_fd: bytearray()}
        self.totals = dict.fromkeys(self.buffers, 0)
        self.caps = {stdout_fd: output_bytes, stderr_fd: output_bytes, result_fd: result_bytes + 1}
        self.reading = set(self.buffers)
        self.request_fd = request_fd
        self.request = memoryview(request)
        self.overflow = ""
        for fd in self.reading:
            os.set_blocking(fd, False)
        if request_fd is not None:
            os.set_blocking(request_fd, False)
            if not request:
                self._close_request()

    def register(self, selector: selectors.BaseSelector) -> None:
        for fd in self.reading:
            selector.register(fd, selectors.EVENT_READ, self)
        if self.request_fd is not None:
            selector.register(self.request_fd, selectors.EVENT_WRITE, self)

    @property
    def open(self) -> bool:
        return bool(self.reading)

    def handle(self, fd: int, selector: selectors.BaseSelector | None = None) -> bool:
        """Read (or write) what is ready on ``fd``; True if a cap was just blown."""
        if fd == self.request_fd:
            self._write_request(selector)
            return False
        try:
            data = os.read(fd, CHUNK)
        except BlockingIOError:
            return False
        if not data:
            self.reading.discard(fd)
            if selector is not None:
                selector.unregister(fd)
            return False
        self.totals[fd] += len(data)
        room = self.caps[fd] - len(self.buffers[fd])
        if room > 0:
            self.buffers[fd] += data[:room]
        if self.overflow:
            return False
        if fd == self.result_fd and self.totals[fd] > self.result_bytes:
            self.overflow = "result"
        elif fd != self.result_fd and self.totals[fd] > self.flood:
            self.overflow = "output"
        return bool(self.overflow)

    def _write_request(self, selector: selectors.BaseSelector | None) -> None:
        assert self.request_fd is not None
        try:
            written = os.write(self.request_fd, self.request[:CHUNK])
        except BlockingIOError:
            return
        except BrokenPipeError:  # the job died or stopped reading: nothing more to say
            written = len(self.request)
        self.request = self.request[written:]
        if not self.request:
            if selector is not None:
                selector.unregister(self.request_fd)
            self._close_request()

    def _close_request(self) -> None:
        if self.request_fd is not None:
            os.close(self.request_fd)
            self.request_fd = None

    def drain(self, seconds: float = DRAIN_AFTER_EXIT) -> None:
        """After the process ended: read what is left, up to end-of-file or ``seconds``."""
        self._close_request()
        deadline = time.monotonic() + seconds
        with selectors.DefaultSelector() as selector:
            for fd in self.reading:
                selector.register(fd, selectors.EVENT_READ)
            while self.reading and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    self.handle(int(key.fd), selector)

    def close(self) -> None:
        self._close_request()
        for fd in self.buffers:
            with contextlib.suppress(OSError):
                os.close(fd)

    def outcome(self, end: ProcessEnd, *, oom_killed: bool = False) -> Outcome:
        return Outcome(
            stdout=bytes(self.buffers[self.stdout_fd]),
            stderr=bytes(self.buffers[self.stderr_fd]),
            result=bytes(self.buffers[self.result_fd]),
            exit_code=end.exit_code,
            signal=end.signal,
            timed_out=end.timed_out,
            overflow=self.overflow,
            wall_ms=end.wall_ms,
            cpu_seconds=end.cpu_seconds,
            max_rss_kb=end.max_rss_kb,
            oom_killed=oom_killed,
        )


def kill_job(pid: int) -> None:
    # The child called setsid(), so its pid is its process group; kill both in case it
    # has not got that far yet.
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _reap(pid: int, started: float, timed_out: bool) -> ProcessEnd:
    _, status, usage = os.wait4(pid, 0)
    return ProcessEnd(
        exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        timed_out=timed_out,
        wall_ms=(time.monotonic() - started) * 1000.0,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_kb=usage.ru_maxrss,
    )


def wait_child(
    pid: int,
    *,
    wall_seconds: float,
    started: float,
    control_fd: int,
    stop_requested: Callable[[], bool],
) -> ProcessEnd:
    """The zygote's watch over one job: until it exits, the wall clock runs out, or the
    worker asks for it to be stopped (``control_fd`` readable and ``stop_requested()``
    true; it is false when the worker has gone away, and the job is killed then too)."""
    deadline = started + wall_seconds
    pidfd = os.pidfd_open(pid)
    timed_out = False
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(pidfd, selectors.EVENT_READ)
            selector.register(control_fd, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 and not timed_out:
                    timed_out = True
                    kill_job(pid)
                ready = selector.select(
                    timeout=max(0.0, min(remaining, 1.0)) if not timed_out else 1.0
                )
                if any(key.fd == pidfd for key, _ in ready):
                    return _reap(pid, started, timed_out)
                if ready:  # the control socket: a stop request, or the worker is gone
                    kill_job(pid)
                    if not stop_requested():
                        selector.unregister(control_fd)
    finally:
        os.close(pidfd)


def supervise(
    pid: int,
    streams: Streams,
    *,
    wall_seconds: float,
    started: float | None = None,
) -> Outcome:
    """Both sides at once, for a job process that is the caller's own child (cold
    backend): feed and collect its pipes and watch it; closes the pipes."""
    started = time.monotonic() if started is None else started
    deadline = started + wall_seconds
    pidfd = os.pidfd_open(pid)
    timed_out = False
    end: ProcessEnd | None = None
    try:
        with selectors.DefaultSelector() as selector:
            streams.register(selector)
            selector.register(pidfd, selectors.EVENT_READ)
            while end is None:
                now = time.monotonic()
                if now >= deadline and not timed_out:
                    timed_out = True
                    kill_job(pid)
                timeout = max(0.0, min(deadline - now, 1.0)) if not timed_out else 1.0
                for key, _ in selector.select(timeout=timeout):
                    if key.fd == pidfd:
                        end = _reap(pid, started, timed_out)
                    elif streams.handle(int(key.fd), selector):
                        kill_job(pid)
        streams.drain()
    finally:
        if end is None:
            kill_job(pid)
            end = _reap(pid, started, timed_out)
        os.close(pidfd)
        streams.close()
    return streams.outcome(end)

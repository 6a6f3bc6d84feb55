"""The job process: lock itself down, read its job, run the answer, write one result, exit.

Its file descriptors are the worker's, passed through the zygote: 0 carries the job
request (the worker closes it after writing, so the answer then reads end-of-file), 1
and 2 are its output, 3 its result.  Nothing else is open: the zygote's control socket
is closed, and the zygote never saw the request or the result.

``run_child`` never returns: it ends with ``os._exit`` so that nothing inherited from the
zygote (atexit handlers, buffered files, torch's static destructors) runs in the child.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import signal
import sys
from typing import NoReturn

from . import layers
from .supervise import SETUP_FAILED

REQUEST_FD, STDOUT_FD, STDERR_FD, RESULT_FD = 0, 1, 2, 3
MAX_REQUEST_BYTES = 8 << 20  # above validate.MAX_INPUT_BYTES: the worker never sends more


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def setup_process(parent_pid: int) -> None:
    """First steps after fork: own session, die with the zygote."""
    os.setsid()
    layers.prctl(layers.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the zygote died between fork and prctl
        os._exit(70)


def arrange_fds(request_fd: int, stdout_fd: int, stderr_fd: int, result_fd: int) -> None:
    """Put the job's pipes on 0-3 and close every other descriptor (the zygote's control
    socket above all, which would let the answer talk to the worker directly)."""
    # dup to high numbers first so that the dup2s below cannot clobber a source fd.
    sources = [os.dup(fd) for fd in (request_fd, stdout_fd, stderr_fd, result_fd)]
    for target, source in enumerate(sources):
        os.dup2(source, target, inheritable=False)
    os.closerange(RESULT_FD + 1, 1 << 20)


def read_request() -> bytes:
    """The whole job request from fd 0, up to end-of-file."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(REQUEST_FD, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > MAX_REQUEST_BYTES:
            raise ValueError("job request too large")
        chunks.append(chunk)


def run_child(plan: layers.LayerPlan) -> NoReturn:
    """Apply the layers, read and run the job, write the result to fd 3, exit."""
    code = 0
    try:
        try:
            if plan.autograd_tripwires:
                # A job stopped by the tripwire leaves its Python traceback (the answer's
                # line) on stderr before dying of SIGILL.
                faulthandler.enable(file=sys.stderr, all_threads=False)
            layers.apply_all(plan)
            payload = read_request()
        except Exception as exc:
            # Never run student code with a layer missing; the parent reports a crash.
            _write_all(STDERR_FD, f"sandbox setup failed: {exc}\n".encode())
            os._exit(SETUP_FAILED)
        from .runner import execute

        request = json.loads(payload)
        del payload
        result = execute(request)
        try:
            # ASCII-only JSON: a lone surrogate in a student's string travels as an
            # escape the parent can clean, instead of as bytes that are not UTF-8.
            data = json.dumps(result, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            data = json.dumps(
                {"status": "error", "outputs": {}, "error": f"result not encodable: {exc}"}
            ).encode()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        _write_all(RESULT_FD, data)
    except BaseException:
        code = 72
    os._exit(code)

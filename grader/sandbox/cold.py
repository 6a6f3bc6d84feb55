"""The cold backend: a fresh ``python -I -S`` per job (slow: it imports torch each time).

Kept as the benchmark's baseline and as a fallback (``GRADER_SANDBOX_BACKEND=cold``).  The
child applies the same per-job layers (rlimits, Landlock, seccomp) as a zygote child but
runs without bubblewrap's namespaces; see coldmain.py for its side.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time

from .api import Limits
from .paths import PACKAGE_DIR, python_paths, read_only_paths
from .supervise import Outcome, Streams, supervise

_package_root: str | None = None


def package_root() -> str:
    """A directory holding only ``sandbox`` (a symlink to this package).

    The cold child must import this package without the rest of ``grader/`` on its path:
    the project's own modules there (e.g. ``grader/selectors.py``) would shadow the
    standard library and pull Django into the jail.
    """
    global _package_root
    if _package_root is None or not os.path.isdir(_package_root):
        root = tempfile.mkdtemp(prefix="agsandbox-pkg-")
        os.symlink(PACKAGE_DIR, os.path.join(root, "sandbox"))
        atexit.register(shutil.rmtree, root, True)
        _package_root = root
    return _package_root


class ColdBackend:
    def __init__(self, landlock: bool = True, seccomp: bool = True) -> None:
        self.landlock = landlock
        self.seccomp = seccomp

    def close(self) -> None:
        pass

    def execute(self, payload: bytes, limits: Limits, *, forbid_autograd: bool = False) -> Outcome:
        job_dir = tempfile.mkdtemp(prefix="agsandbox-cold-")
        result_r, result_w = os.pipe()
        spec = {
            "memory_mb": limits.memory_mb,
            "cpu_seconds": limits.cpu_seconds,
            "read_only_paths": read_only_paths(),
            "job_dir": job_dir,
            # Its own namespaces and tmpfs on job_dir as in the zygote; /tmp stays the
            # host's (package_root lives there), denied by Landlock.
            "namespaces": True,
            "private_tmp": False,
            "landlock": self.landlock,
            "seccomp": self.seccomp,
            "result_fd": result_w,
            "forbid_autograd": forbid_autograd,
        }
        paths = python_paths()
        boot = (
            "import sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]); "
            "from sandbox.coldmain import main; main()"
        )
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [
                    paths["executable"],
                    "-I",
                    "-S",
                    "-c",
                    boot,
                    package_root(),
                    paths["site_packages"],
                    json.dumps(spec),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(result_w,),
                env={},
                cwd=job_dir,
                start_new_session=True,
            )
        finally:
            os.close(result_w)
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        streams = Streams(
            os.dup(proc.stdout.fileno()),
            os.dup(proc.stderr.fileno()),
            result_r,
            output_bytes=limits.output_bytes,
            result_bytes=limits.result_bytes,
            request_fd=os.dup(proc.stdin.fileno()),
            request=payload,
        )
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
        try:
            # The clock includes the torch import: a cold job gets 30 s extra for it.
            outcome = supervise(
                proc.pid, streams, wall_seconds=limits.wall_seconds + 30.0, started=started
            )
            proc.returncode = -1  # reaped by supervise
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)
        return outcome

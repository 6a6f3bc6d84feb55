"""One cgroup per zygote: a cap on tasks and on memory for the zygote and its job.

Per-job rlimits cannot cap everything: RLIMIT_NPROC does not apply when the jail's host
uid is root (the worker runs as root on a CI machine), and RLIMIT_AS does not count
tmpfs or shared memory.  Where the cgroup v1 ``pids`` and ``memory`` controllers are
writable (the worker is root), each zygote (bwrap, the zygote, its one job at a time)
runs in its own group under the worker's own: ``pids.max`` holds the job's threads to a
few dozen whatever its uid, and ``memory.limit_in_bytes`` caps what the tree holds,
tmpfs and shm included (the kernel charges them to the group of the task that made
them); the job, not the zygote, is what the OOM killer takes (the child sets its
oom_score_adj to 1000).  Where they are not writable (a non-root worker, as in the Docker
image), ``create`` returns None and the jail runs as the worker's unprivileged uid, where
RLIMIT_NPROC holds; docs/security.md says what holds in each setup.

Framework-free, stdlib only.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("pids", "memory")
PREFIX = "agsandbox-"


def _own_path(controller: str) -> str | None:
    """This process's cgroup in the v1 hierarchy of ``controller`` (None if absent)."""
    try:
        with open("/proc/self/cgroup") as lines:
            for line in lines:
                _, names, path = line.rstrip("\n").split(":", 2)
                if controller in names.split(","):
                    return path
    except OSError:
        return None
    return None


def _write(path: str, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _read_int(path: str) -> int:
    with open(path) as handle:
        return int(handle.read().split()[0])


@dataclass
class ZygoteCgroup:
    """The group directories, one per controller."""

    dirs: dict[str, str]

    @classmethod
    def create(cls, name: str, *, pids_max: int) -> ZygoteCgroup | None:
        """Make the groups (None if cgroup v1 pids and memory are not writable here)."""
        dirs: dict[str, str] = {}
        for controller in CONTROLLERS:
            own = _own_path(controller)
            base = f"{ROOT}/{controller}"
            if own is None or not os.access(f"{base}{own}", os.W_OK):
                return None
            dirs[controller] = os.path.join(f"{base}{own}".rstrip("/"), PREFIX + name)
        group = cls(dirs)
        try:
            for path in dirs.values():
                os.makedirs(path, exist_ok=True)
            _write(f"{dirs['pids']}/pids.max", str(pids_max))
        except OSError:
            group.remove()
            return None
        return group

    def attach(self) -> None:
        """Move the calling process into the groups (used between fork and exec, so
        that bwrap and everything it starts are inside before they exist)."""
        for path in self.dirs.values():
            fd = os.open(f"{path}/cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, str(os.getpid()).encode())
            finally:
                os.close(fd)

    def limit(self, *, pids_max: int, memory_bytes: int) -> None:
        _write(f"{self.dirs['pids']}/pids.max", str(pids_max))
        _write(f"{self.dirs['memory']}/memory.limit_in_bytes", str(memory_bytes))

    def memory_usage(self) -> int:
        return _read_int(f"{self.dirs['memory']}/memory.usage_in_bytes")

    def oom_kills(self) -> int:
        """How many tasks the group's OOM killer has killed so far."""
        with (
            contextlib.suppress(OSError, ValueError),
            open(f"{self.dirs['memory']}/memory.oom_control") as handle,
        ):
            for line in handle:
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        return 0

    def remove(self, wait: float = 2.0) -> None:
        """Remove the (emptied) groups; the zygote's tasks may take a moment to exit."""
        deadline = time.monotonic() + wait
        for path in self.dirs.values():
            while os.path.isdir(path):
                try:
                    os.rmdir(path)
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale() -> None:
    """Remove empty groups left by workers that died without cleaning up (a group is
    named after its worker's pid: ``agsandbox-<pid>-<n>``)."""
    for controller in CONTROLLERS:
        own = _own_path(controller)
        if own is None:
            continue
        base = f"{ROOT}/{controller}{own}".rstrip("/")
        with contextlib.suppress(OSError):
            for entry in os.scandir(base):
                owner = entry.name.removeprefix(PREFIX).split("-")[0]
                if entry.name.startswith(PREFIX) and owner.isdigit() and not _alive(int(owner)):
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)

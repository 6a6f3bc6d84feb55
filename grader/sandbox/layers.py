"""Per-job isolation layers applied inside the child before any student code.

Order matters: rlimits first (setrlimit is denied later), then no_new_privs, then
Landlock (its syscalls are not in the seccomp deny list, but the ruleset must be built
before the filesystem view is cut), then seccomp last.

* rlimits: address space = size at fork + budget (holds for tensor allocations, which go
  through mmap), CPU soft/hard, file size, open files, no core dumps.
* Landlock (ABI >= 6 on this kernel): read-only on the interpreter, venv, /usr and the
  sandbox package; every right except execute in the job dir; no TCP bind/connect; no
  signals or abstract unix sockets out of the domain.  ptrace of anything outside the
  domain is denied by Landlock itself.
* seccomp via libseccomp (pyseccomp): a deny list of syscalls a grading job never needs.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
from dataclasses import dataclass, field
from typing import Any

import pyseccomp

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

# x86_64 syscall numbers (the same on every architecture that has Landlock in its
# generic table, which is all of them since 5.13).
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

READ_ONLY = FS_READ_FILE | FS_READ_DIR
JOB_DIR_RIGHTS = (
    FS_WRITE_FILE
    | FS_READ_FILE
    | FS_READ_DIR
    | FS_REMOVE_DIR
    | FS_REMOVE_FILE
    | FS_MAKE_DIR
    | FS_MAKE_REG
    | FS_MAKE_SYM
    | FS_MAKE_FIFO
    | FS_REFER
    | FS_TRUNCATE
)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel struct is __attribute__((packed))
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class LayerError(RuntimeError):
    """An isolation layer could not be applied: the job must not run."""


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise LayerError(f"{what} failed: {os.strerror(err)}")
    return result


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 if Landlock is unavailable."""
    result = _libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET,
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION),
    )
    return max(int(result), 0)


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


@dataclass(frozen=True)
class LayerPlan:
    """What the child applies.  Built once by the zygote; cheap to carry across fork."""

    memory_mb: int = 512
    cpu_seconds: int = 4
    file_bytes: int = 64 << 20
    open_files: int = 64
    read_only_paths: tuple[str, ...] = ()
    job_dir: str = ""
    landlock: bool = True
    seccomp: bool = True
    rlimits: bool = True  # all three off = the benchmark's "bare fork" baseline
    extra: dict[str, Any] = field(default_factory=dict)


def address_space_now() -> int:
    """Current virtual size in bytes (what RLIMIT_AS compares against)."""
    with open("/proc/self/statm", "rb") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def apply_rlimits(plan: LayerPlan) -> None:
    budget = plan.memory_mb << 20
    base = address_space_now()
    resource.setrlimit(resource.RLIMIT_AS, (base + budget, base + budget))
    # SIGXCPU at the soft limit (Python keeps the default action: terminate); SIGKILL one
    # second later if it is caught.
    resource.setrlimit(resource.RLIMIT_CPU, (plan.cpu_seconds, plan.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (plan.file_bytes, plan.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (plan.open_files, plan.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # No RLIMIT_NPROC: it counts every process of the (host) uid, threads included, and
    # the kernel ignores it for root; new processes are stopped by seccomp, threads by
    # the address-space limit (each stack is an 8 MiB mapping).


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl({option})")


def no_new_privs() -> None:
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def apply_landlock(plan: LayerPlan) -> int:
    """Restrict this process with Landlock; return the ABI used (raises if unavailable)."""
    abi = landlock_abi()
    if abi < 1:
        raise LayerError("Landlock is not available on this kernel")
    attr = _RulesetAttr(handled_access_fs=_fs_rights(abi))
    size = 8
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset = _check(
        _libc.syscall(
            SYS_LANDLOCK_CREATE_RULESET,
            ctypes.byref(attr),
            ctypes.c_size_t(size),
            ctypes.c_uint32(0),
        ),
        "landlock_create_ruleset",
    )
    try:
        # Its own /proc entry (resolved now, so not /proc/<zygote>) lets a job read its own
        # status and lets torch read what it reads about the process.
        own = f"/proc/{os.getpid()}"
        rules = [(path, READ_ONLY) for path in (*plan.read_only_paths, own)]
        if plan.job_dir:
            rules.append((plan.job_dir, JOB_DIR_RIGHTS & _fs_rights(abi)))
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_EXECUTE
                rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
                _check(
                    _libc.syscall(
                        SYS_LANDLOCK_ADD_RULE,
                        ctypes.c_int(ruleset),
                        ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                        ctypes.byref(rule),
                        ctypes.c_uint32(0),
                    ),
                    f"landlock_add_rule({path})",
                )
            finally:
                os.close(fd)
        _check(
            _libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
            "landlock_restrict_self",
        )
    finally:
        os.close(ruleset)
    return abi


CLONE_THREAD = 0x00010000
DENIED_SYSCALLS = (
    # network
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    # new programs and new processes (threads are allowed, see clone below)
    "execve",
    "execveat",
    "fork",
    "vfork",
    # other processes' memory
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "kill",
    "tkill",
    # the filesystem and namespaces
    "mount",
    "umount2",
    "unshare",
    "setns",
    "chroot",
    "pivot_root",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "name_to_handle_at",
    "open_by_handle_at",
    "swapon",
    "swapoff",
    # kernel attack surface a numeric job never needs
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "memfd_create",
    "memfd_secret",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "acct",
    "quotactl",
    "syslog",
    "iopl",
    "ioperm",
    "modify_ldt",
    "personality",
    "lookup_dcookie",
    "uselib",
    "vhangup",
    "settimeofday",
    "clock_settime",
    "adjtimex",
    "clock_adjtime",
    "sethostname",
    "setdomainname",
    # limits stay where the sandbox put them
    "setrlimit",
)


def build_seccomp(protected_pid: int | None = None) -> pyseccomp.SyscallFilter:
    """The deny-list filter.

    Signals: ``kill``/``tkill`` are denied outright; ``tgkill`` and the sigqueue calls
    (which raise()/abort()/pthread_kill use with the caller's own tgid) are denied when
    aimed at another process.  In the zygote's pid namespace every other process has a
    pid <= the zygote's (bwrap's init is 1, the zygote 2, a job child >= 3, one at a
    time), so ``protected_pid`` = the zygote's pid gives a filter that does not depend on
    the child's pid and can be built once before forking.  Without it (cold backend) the
    filter allows only the calling process's own pid.  Landlock's signal scoping is the
    second layer for both.
    """
    deny = pyseccomp.ERRNO(errno.EPERM)
    flt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            flt.add_rule(deny, name)
        except (OSError, ValueError, RuntimeError):
            # A syscall this libseccomp/arch does not know cannot be called either.
            continue
    # clone without CLONE_THREAD would be a new process; clone3 hides its flags in
    # memory seccomp cannot read, so it says ENOSYS and glibc falls back to clone.
    flt.add_rule(deny, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, CLONE_THREAD, 0))
    flt.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    for name in ("tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        if protected_pid is not None:
            flt.add_rule(deny, name, pyseccomp.Arg(0, pyseccomp.LE, protected_pid))
        else:
            flt.add_rule(deny, name, pyseccomp.Arg(0, pyseccomp.NE, os.getpid()))
    # prlimit64 may read limits (glibc getrlimit uses it) but not set them.
    flt.add_rule(deny, "prlimit64", pyseccomp.Arg(2, pyseccomp.NE, 0))
    return flt


_prebuilt: pyseccomp.SyscallFilter | None = None


def prebuild_seccomp() -> None:
    """Called by the zygote before forking: children then only load the filter."""
    global _prebuilt
    _prebuilt = build_seccomp(protected_pid=os.getpid())


def apply_seccomp() -> None:
    flt = _prebuilt if _prebuilt is not None else build_seccomp()
    flt.load()


def apply_all(plan: LayerPlan) -> None:
    if not (plan.rlimits or plan.landlock or plan.seccomp):
        return
    if plan.rlimits:
        apply_rlimits(plan)
    no_new_privs()
    if plan.landlock:
        apply_landlock(plan)
    if plan.seccomp:
        apply_seccomp()

"""Per-job isolation layers applied inside the child before any student code.

Order matters (``apply_all``):

1. private namespaces (``enter_private_namespaces``): the child makes its own user,
   mount and IPC namespaces, mounts a fresh size- and inode-capped tmpfs on /jobs (its
   working directory, also seen as /tmp and /dev/shm) and makes /proc read-only.  When
   the process exits the kernel drops all of it at once: nothing a job writes, and no
   IPC object it makes, can reach the next job, and there is nothing to clean up.
2. rlimits (setrlimit is denied later): address space = size at fork + budget (holds
   for tensor allocations, which go through mmap), CPU, file size, open files, processes
   (counted per host uid), no core dumps.
3. capabilities dropped (the new user namespace gave the child all of them there), then
   no_new_privs.
4. the autograd tripwire, for "by hand" jobs only (``block_autograd``).
5. Landlock (ABI >= 6 on this kernel): read-only on the interpreter, venv, /usr and the
   sandbox package; every right except execute in the job dir; no TCP bind/connect; no
   signals or abstract unix sockets out of the domain.
6. seccomp via libseccomp (pyseccomp): a deny list of syscalls a grading job never
   needs; for "by hand" jobs also no new executable memory, so the tripwire stays.
"""

from __future__ import annotations

import ctypes
import errno
import functools
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
    """What the child applies.  Built by the zygote per job; cheap to carry across fork."""

    memory_mb: int = 512
    cpu_seconds: int = 4
    file_bytes: int = 64 << 20
    open_files: int = 64
    # RLIMIT_NPROC counts every task (threads too) of the host uid; it holds wherever the
    # jail's uid is not host root (the kernel ignores it for root: cgroups cover that).
    processes: int = 128
    read_only_paths: tuple[str, ...] = ()
    job_dir: str = ""
    # Own user/mount/IPC namespaces with a fresh tmpfs on ``job_dir`` (see
    # enter_private_namespaces); ``private_tmp`` also shows it as /tmp and /dev/shm.
    namespaces: bool = True
    private_tmp: bool = True
    tmpfs_bytes: int = 64 << 20
    tmpfs_inodes: int = 4096
    landlock: bool = True
    seccomp: bool = True
    rlimits: bool = True  # all of these off = the benchmark's "bare fork" baseline
    # Entry points replaced by a trapping instruction ("by hand" jobs): see block_autograd.
    autograd_tripwires: tuple[int, ...] = ()
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
    # New processes are stopped by seccomp; threads by this (unless the jail's host uid
    # is root, which the kernel exempts), by the zygote's pids cgroup where there is
    # one, and by the address-space limit (each thread stack is an 8 MiB mapping).
    resource.setrlimit(resource.RLIMIT_NPROC, (plan.processes, plan.processes))


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl({option})")


def no_new_privs() -> None:
    prctl(PR_SET_NO_NEW_PRIVS, 1)


CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]


def _write_proc(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def enter_private_namespaces(plan: LayerPlan) -> None:
    """Give this process its own user, mount and IPC namespaces and a fresh tmpfs.

    * mount: a tmpfs capped at ``tmpfs_bytes`` and ``tmpfs_inodes`` on ``job_dir``
      (with ``private_tmp``, also bound on /tmp and /dev/shm): the only writable place.
      When the job's last task exits, the namespace and the tmpfs go with it, whatever
      the job put there (no recursive wipe to run, nothing left for the next job).
    * IPC: SysV message queues, semaphores and shared memory, and POSIX message queues,
      are per IPC namespace, so none is shared with or outlives another job (seccomp
      also denies the calls).
    * /proc is remounted read-only: /proc/self/mem cannot be opened for writing (the
      autograd tripwire's code pages stay as they are) even where Landlock is missing;
      in bubblewrap (``private_tmp``) so is the jail's root.
    * user: needed to do the above without privileges; the job keeps its uid and gid,
      and ``drop_capabilities`` takes away what the new namespace granted.
    """
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    # The zygote is not dumpable and its children inherit that, so their /proc/self files
    # belong to host root: writable by the job only when the worker itself is root. As a
    # non-root worker (the Docker image) the job becomes dumpable for these four writes
    # to files of its own, then not dumpable again.
    prctl(PR_SET_DUMPABLE, 1)
    _write_proc("/proc/self/setgroups", "deny")
    _write_proc("/proc/self/uid_map", f"{uid} {uid} 1")
    _write_proc("/proc/self/gid_map", f"{gid} {gid} 1")
    # The OOM killer of the zygote's memory cgroup takes the job, not the zygote.
    _write_proc("/proc/self/oom_score_adj", "1000")
    prctl(PR_SET_DUMPABLE, 0)
    locked = MS_NOSUID | MS_NODEV | MS_NOEXEC
    _mount(
        "agjob",
        plan.job_dir,
        "tmpfs",
        locked,
        f"size={plan.tmpfs_bytes},nr_inodes={plan.tmpfs_inodes},mode=0700",
    )
    if plan.private_tmp:
        # In bubblewrap: the jail's root tmpfs becomes read-only too, so that without
        # Landlock the job's own tmpfs is still the only place it can write.
        for place in ("/tmp", "/dev/shm"):
            if not os.path.isdir(place):
                continue
            if any(path.startswith(place + "/") for path in plan.read_only_paths):
                # The venv or the interpreter lives below it (a checkout in /tmp): keep
                # those binds visible, and make the jail's own tmpfs there read-only.
                _mount(None, place, None, MS_REMOUNT | MS_BIND | MS_RDONLY | locked, "")
            else:
                _mount(plan.job_dir, place, None, MS_BIND, "")
        _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, "")
    _mount(None, "/proc", None, MS_REMOUNT | MS_BIND | MS_RDONLY | locked, "")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


SYS_CAPSET = 126
LINUX_CAPABILITY_VERSION_3 = 0x20080522


PR_CAPBSET_DROP = 24


@functools.cache
def last_capability() -> int:
    """The kernel's highest capability number, read once (the zygote reads it before
    forking, so no job reads /proc for it)."""
    with open("/proc/sys/kernel/cap_last_cap") as last:
        return int(last.read())


def drop_capabilities() -> None:
    """Empty the bounding set (where allowed: it needs CAP_SETPCAP, which a job's new
    user namespace gives it) and the effective, permitted and inheritable sets (a
    process may always lower its own)."""
    for cap in range(last_capability() + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EPERM without CAP_SETPCAP: fine
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(
        _libc.syscall(SYS_CAPSET, ctypes.byref(header), ctypes.byref(data)),
        "capset",
    )


# --- the autograd tripwire ("by hand" jobs) ---------------------------------------------
#
# Every autograd graph is made of Nodes, and every Node an operation records takes a
# sequence number from at::sequence_number::get_and_increment(); every forward-mode
# dual tensor lives in a forward AD level, entered with ForwardADLevel::get_next_idx()
# and looked up with get_by_idx().  Whatever Python name a student reaches them by
# (Tensor.backward, the engine object, torch.func, functorch internals, a grad_fn called
# by hand, code built at run time, originals recovered through gc), the machine code
# goes through these functions.  A "by hand" job gets them replaced, in its own copy of
# the pages, by ud2: reaching autograd stops the process with SIGILL, which the parent
# sees from outside and the answer cannot catch, fake or undo (seccomp denies making
# memory executable again; /proc is read-only; ptrace and process_vm_writev are denied).
AUTOGRAD_SYMBOLS = (
    "_ZN2at15sequence_number17get_and_incrementEv",
    "_ZN5torch8autograd14ForwardADLevel12get_next_idxEv",
    "_ZN5torch8autograd14ForwardADLevel10get_by_idxEm",
    "_ZN5torch8autograd14ForwardADLevel14try_get_by_idxEm",
)
UD2 = b"\x0f\x0b"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS = 0x02, 0x10, 0x20
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def autograd_addresses() -> tuple[int, ...]:
    """Where the autograd entry points are in this process (torch must be loaded);
    raises LayerError if one is missing, so a "by hand" job never runs without them."""
    import torch

    library = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))
    addresses = []
    for name in AUTOGRAD_SYMBOLS:
        try:
            addresses.append(int(ctypes.cast(getattr(library, name), ctypes.c_void_p).value or 0))
        except AttributeError:
            raise LayerError(f"autograd entry point {name} not found in libtorch_cpu") from None
    return tuple(addresses)


def block_autograd(addresses: tuple[int, ...]) -> None:
    """Put ud2 at each address.  Each page is replaced by an anonymous copy (so that
    discarding it with madvise gives zeros, never the original code back), patched, and
    made read+execute again."""
    by_page: dict[int, list[int]] = {}
    for address in addresses:
        by_page.setdefault(address & ~(PAGE_SIZE - 1), []).append(address)
    for page, targets in by_page.items():
        code = bytearray(ctypes.string_at(page, PAGE_SIZE))
        for address in targets:
            offset = address - page
            code[offset : offset + len(UD2)] = UD2
        flags = MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS
        if _libc.mmap(page, PAGE_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0) != page:
            raise LayerError(
                f"mmap over the autograd page failed: {os.strerror(ctypes.get_errno())}"
            )
        ctypes.memmove(page, bytes(code), PAGE_SIZE)
        _check(_libc.mprotect(page, PAGE_SIZE, PROT_READ | PROT_EXEC), "mprotect")


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
    # SysV IPC and POSIX message queues: a channel between jobs, and memory that outlives
    # a job (each job also has its own IPC namespace)
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    "remap_file_pages",
)


def build_seccomp(
    protected_pid: int | None = None, *, by_hand: bool = False
) -> pyseccomp.SyscallFilter:
    """The deny-list filter.

    Signals: ``kill``/``tkill`` are denied outright; ``tgkill`` and the sigqueue calls
    (which raise()/abort()/pthread_kill use with the caller's own tgid) are denied when
    aimed at another process.  In the zygote's pid namespace every other process has a
    pid <= the zygote's (bwrap's init is 1, the zygote 2, a job child >= 3, one at a
    time), so ``protected_pid`` = the zygote's pid gives a filter that does not depend on
    the child's pid and can be built once before forking.  Without it (cold backend) the
    filter allows only the calling process's own pid.  Landlock's signal scoping is the
    second layer for both.

    ``by_hand``: no executable memory can be made (mmap or mprotect with PROT_EXEC), so
    the autograd tripwire cannot be patched back.  A SIGILL handler cannot step over
    it either: ud2 is a fault, so returning from the handler runs it again (until the
    CPU limit), and a handler that could move the instruction pointer would need new
    executable memory (a ctypes callback).
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
    if by_hand:
        for name in ("mmap", "mprotect", "pkey_mprotect"):
            flt.add_rule(deny, name, pyseccomp.Arg(2, pyseccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    return flt


_prebuilt: dict[bool, pyseccomp.SyscallFilter] = {}


def prebuild_seccomp() -> None:
    """Called by the zygote before forking: children then only load the filter (and
    find the capability count already read)."""
    last_capability()
    for by_hand in (False, True):
        _prebuilt[by_hand] = build_seccomp(protected_pid=os.getpid(), by_hand=by_hand)


def apply_seccomp(*, by_hand: bool = False) -> None:
    flt = _prebuilt.get(by_hand) or build_seccomp(by_hand=by_hand)
    flt.load()


def apply_all(plan: LayerPlan) -> None:
    """Every layer in order (see the module docstring); raises if one cannot be applied."""
    if plan.namespaces:
        enter_private_namespaces(plan)
    if plan.job_dir:
        os.chdir(plan.job_dir)
    if not (plan.rlimits or plan.landlock or plan.seccomp or plan.autograd_tripwires):
        return
    if plan.rlimits:
        apply_rlimits(plan)
    drop_capabilities()
    no_new_privs()
    if plan.autograd_tripwires:
        # Before seccomp, which forbids making the patched pages executable again.
        block_autograd(plan.autograd_tripwires)
    if plan.landlock:
        apply_landlock(plan)
    if plan.seccomp:
        apply_seccomp(by_hand=bool(plan.autograd_tripwires))

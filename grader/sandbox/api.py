"""The sandbox's public types (its one entry point, ``run``, is in client.py; see
docs/sandbox-protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "error", "timeout", "limit", "crashed")
PROTOCOLS = ("formula", "call", "script")


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 5.0  # wall clock; the child's process group is killed after it
    cpu_seconds: int = 4  # RLIMIT_CPU
    memory_mb: int = 512  # address-space budget above the size at fork
    output_bytes: int = 65_536  # cap on captured stdout and on stderr, each
    result_bytes: int = 2_000_000  # cap on the JSON result


@dataclass(frozen=True)
class Job:
    protocol: str  # "formula" | "call" | "script"
    answer: str  # the student's text, as submitted
    inputs: dict[str, Any]  # JSON-serialisable only; never reference answers
    limits: Limits = field(default_factory=Limits)
    # "by hand" exercises: autograd is switched off in the job's process (a tripwire in
    # torch's own code, layers.block_autograd); reaching it ends the job.
    forbid_autograd: bool = False
    # Exercises about autograd: the child counts the backward passes (backward() or
    # torch.autograd.grad) each call / the script ran, in outputs["backward_passes"].
    count_backward: bool = False


@dataclass(frozen=True)
class SandboxResult:
    status: str  # "ok" | "error" | "timeout" | "limit" | "crashed"
    outputs: dict[str, Any]  # validated JSON data (empty unless status == "ok")
    error: str  # a message a student can act on ("" when ok)
    stdout: str  # captured, capped, decoded with errors="replace"
    stderr: str
    wall_ms: float
    # forbid_autograd jobs: the answer reached autograd and was stopped (status "error").
    autograd_blocked: bool = False

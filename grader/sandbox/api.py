"""The sandbox's public types and its one entry point, ``run`` (see docs/sandbox-protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "error", "timeout", "limit", "crashed")
PROTOCOLS = ("formula", "call", "script")
# What forbid_autograd wraps; names reported in outputs["autograd_used"].
AUTOGRAD_ENTRY_POINTS = (
    "Tensor.backward",
    "Tensor.requires_grad_",
    "torch.autograd.grad",
    "torch.autograd.backward",
    "torch.enable_grad",
    "torch.autograd.functional.jacobian",
    "torch.autograd.functional.hessian",
    "torch.autograd.functional.vjp",
    "torch.autograd.functional.jvp",
    "torch.autograd.functional.hvp",
    "torch.autograd.functional.vhp",
    "torch.func.grad",
    "torch.func.grad_and_value",
    "torch.func.vjp",
    "torch.func.jvp",
    "torch.func.jacrev",
    "torch.func.jacfwd",
    "torch.func.hessian",
)


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
    forbid_autograd: bool = False  # "by hand" exercises: autograd use is detected at run time


@dataclass(frozen=True)
class SandboxResult:
    status: str  # "ok" | "error" | "timeout" | "limit" | "crashed"
    outputs: dict[str, Any]  # validated JSON data (empty unless status == "ok")
    error: str  # a message a student can act on ("" when ok)
    stdout: str  # captured, capped, decoded with errors="replace"
    stderr: str
    wall_ms: float


def run(job: Job) -> SandboxResult:
    """Run ``job`` in the sandbox and return its validated result.

    Raises ValueError only for a malformed Job (a caller bug: unknown protocol, inputs of
    the wrong shape); everything the student's answer does is reported in the result.
    """
    from .client import default_client

    return default_client().run(job)

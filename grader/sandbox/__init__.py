"""The grading sandbox: run a student's answer in isolation (docs/sandbox-protocol.md).

Framework-free on purpose: only the standard library, torch and pyseccomp, and relative
imports, so this directory alone can be bound read-only into the jail.
"""

from .api import Job, Limits, SandboxResult
from .client import SandboxUnavailable, run

__all__ = ["Job", "Limits", "SandboxResult", "SandboxUnavailable", "run"]

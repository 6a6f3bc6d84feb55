"""Where the interpreter, the venv and this package live (to bind and allow read-only)."""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def python_paths() -> dict[str, str]:
    """Where the interpreter, its stdlib and the venv live (to bind and allow read-only)."""
    return {
        "executable": sys.executable,
        "base_prefix": os.path.realpath(sys.base_prefix),
        "prefix": os.path.realpath(sys.prefix),
        "site_packages": sysconfig.get_paths()["purelib"],
    }


def read_only_paths() -> tuple[str, ...]:
    paths = python_paths()
    return (
        paths["base_prefix"],
        paths["prefix"],
        "/usr",
        "/etc/ld.so.cache",
        str(PACKAGE_DIR),
    )

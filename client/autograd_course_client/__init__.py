"""Submit Autograd Course answers from a notebook (`%%submit`) or a terminal."""

from __future__ import annotations

from typing import Any

from .api import Connection, CourseError, submit
from .render import Result, as_html, as_text

__all__ = ["Connection", "CourseError", "Result", "as_html", "as_text", "submit"]
__version__ = "0.1.0"


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext autograd_course_client` registers `%%submit`."""
    from .magic import SubmitMagics  # IPython only when in IPython

    ipython.register_magics(SubmitMagics)

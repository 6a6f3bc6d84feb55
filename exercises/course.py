"""Reading exercise folders from disk: `exercises/content/<slug>/`.

A folder holds `info.json` (metadata), `statement.md` (Markdown with $LaTeX$ and
`{{ param }}` placeholders), `starter.py|txt`, `solution.py|txt` (the reference answer,
as a student would submit it), `grading.py` (trusted: inputs, expected outputs, checks,
misconceptions), `variant.py` (optional, standard library only: each student's own
numbers) and `wrong/<misconception>.py|txt` (answers that must be recognised as that
misconception). See docs/authoring.md. Every problem is reported as a CourseError that
names the file.

`grading.py` imports torch, and only a grading process needs it: a spec imports it on
first use of ``spec.grading``. Showing an exercise (statement, starter, the student's
numbers through ``spec.params``) imports neither, so a web process never loads torch.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.utils.dateparse import parse_datetime

from .spec import VISIBILITIES, Check, GradingModule, Misconception

SpecT = TypeVar("SpecT")
_grading_lock = threading.Lock()

PROTOCOLS = ("formula", "call", "script", "none")


# The answer kinds (formula, code, numeric, choice) live in grader/kinds/, one module
# each, above this loader; each registers here, when the grader app loads, the check of
# its own keys in a part or quiz question and whether it runs in the sandbox.
# It also says which of an item's keys the pages may see (never the answer).
@dataclass(frozen=True)
class ItemKind:
    schema_problem: Callable[[dict[str, Any]], str]
    public: Callable[[dict[str, Any]], dict[str, Any]]
    sandboxed: bool


_ITEM_KINDS: dict[str, ItemKind] = {}


def register_item_kind(name: str, kind: ItemKind) -> None:
    _ITEM_KINDS[name] = kind


def item_kinds(*, sandboxed: bool | None = None) -> tuple[str, ...]:
    """The registered kinds' names (only those that do / do not run in the sandbox)."""
    return tuple(n for n, k in _ITEM_KINDS.items() if sandboxed is None or k.sandboxed == sandboxed)


def public_item(item: dict[str, Any]) -> dict[str, Any]:
    """What the pages (and the database copy) hold of a part or question: no answer."""
    return _ITEM_KINDS[item["kind"]].public(item)


def check_item(where: str, item: Any, *, allowed: tuple[str, ...]) -> None:
    """An exercise part or quiz question: the keys every item has, then its kind's own."""
    if not isinstance(item, dict):
        raise CourseError(f"{where} must be an object")
    for key in ("id", "kind", "prompt"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise CourseError(f"{where}: '{key}' is required (a non-empty string)")
    if item["kind"] not in allowed:
        raise CourseError(f"{where}: 'kind' must be one of {', '.join(allowed)}")
    if not isinstance(item.get("max_score"), int | float):
        raise CourseError(f"{where}: 'max_score' is required (a number)")
    problem = _ITEM_KINDS[item["kind"]].schema_problem(item)
    if problem:
        raise CourseError(f"{where}: {problem}")


logger = logging.getLogger(__name__)


class CourseError(Exception):
    """A problem in an exercise folder; the message starts with the file's path."""


@dataclass
class ExerciseSpec:
    slug: str
    folder: Path
    title: str
    notes_section: str
    kind: str
    protocol: str
    statement: str
    starter: str
    solution: str
    position: int
    by_hand: bool
    attempt_limit: int | None
    due_at: datetime | None
    late_penalty: float
    score_policy: str
    parts: list[dict[str, Any]]
    limits: dict[str, float]
    # The hint ladder (Markdown, easiest first) and what each hint opened costs.
    hints: list[str]
    hint_penalty: float
    # Imports and checks grading.py (and torch) when called; None: nothing to grade.
    load_grading: Callable[[], GradingModule] | None
    variant: Callable[[random.Random], dict[str, Any]] | None = None
    # The opposite of by_hand: the answer must let autograd compute (a backward pass
    # per call, or in the script), or its checks score 0 (grader/grading.py).
    requires_autograd: bool = False
    wrong_answers: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    _grading: GradingModule | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def grading(self) -> GradingModule | None:
        """The trusted grading module, loaded on first use (see the module docstring)."""
        if self.load_grading is None:
            return None
        if self._grading is None:
            with _grading_lock:
                if self._grading is None:
                    self._grading = self.load_grading()
        return self._grading

    def params(self, seed: int) -> dict[str, Any]:
        """The variant parameters of one seed (empty without a variant)."""
        return dict(self.variant(random.Random(seed))) if self.variant else {}

    @property
    def max_score(self) -> float:
        checks = sum(c.max_score for c in self.grading.checks) if self.grading else 0.0
        return checks + sum(float(p["max_score"]) for p in self.parts)


def content_dir() -> Path:
    return Path(settings.COURSE_CONTENT_DIR)


def _read(path: Path, required: bool = True) -> str:
    if not path.exists():
        if required:
            raise CourseError(f"{path}: missing")
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CourseError(f"{path}: not UTF-8 ({exc})") from exc


def _first(folder: Path, stem: str) -> Path:
    for ext in (".py", ".txt"):
        if (folder / f"{stem}{ext}").exists():
            return folder / f"{stem}{ext}"
    return folder / f"{stem}.py"


def read_json_object(path: Path) -> dict[str, Any]:
    """A content file holding one JSON object (info.json, quiz.json)."""
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise CourseError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CourseError(f"{path}: must be a JSON object")
    return data


def _load_info(path: Path) -> dict[str, Any]:
    info = read_json_object(path)
    for key in ("title", "notes_section", "kind", "protocol"):
        if not isinstance(info.get(key), str) or not info[key]:
            raise CourseError(f"{path}: '{key}' is required (a non-empty string)")
    if info["kind"] not in item_kinds():
        raise CourseError(f"{path}: 'kind' must be one of {', '.join(item_kinds())}")
    if info["protocol"] not in PROTOCOLS:
        raise CourseError(f"{path}: 'protocol' must be one of {', '.join(PROTOCOLS)}")
    if info.get("score_policy", "best") not in ("best", "latest"):
        raise CourseError(f"{path}: 'score_policy' must be 'best' or 'latest'")
    penalty = info.get("late_penalty", 0.0)
    if not isinstance(penalty, int | float) or not 0 <= penalty <= 1:
        raise CourseError(f"{path}: 'late_penalty' must be a number between 0 and 1")
    due = info.get("due")
    if due is not None and (not isinstance(due, str) or parse_datetime(due) is None):
        raise CourseError(f"{path}: 'due' must be an ISO 8601 datetime with a time zone")
    for i, part in enumerate(info.get("parts", [])):
        _check_part(path, i, part)
    hints = info.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise CourseError(f"{path}: 'hints' must be a list of non-empty strings (Markdown)")
    hint_penalty = info.get("hint_penalty", 0.0)
    if not isinstance(hint_penalty, int | float) or not 0 <= hint_penalty <= 1:
        raise CourseError(f"{path}: 'hint_penalty' must be a number between 0 and 1")
    if info.get("requires_autograd"):
        if info.get("by_hand"):
            raise CourseError(
                f"{path}: an exercise cannot be both 'by_hand' and 'requires_autograd'"
            )
        if info["protocol"] not in ("call", "script"):
            raise CourseError(f"{path}: 'requires_autograd' needs the call or script protocol")
    return info


def _check_part(path: Path, i: int, part: Any) -> None:
    # Parts are graded next to the code, in the trusted process: no sandboxed kinds.
    check_item(f"{path}: parts[{i}]", part, allowed=item_kinds(sandboxed=False))


def import_content_module(path: Path, module_name: str) -> ModuleType:
    """Import a folder's trusted `grading.py`; any failure is a CourseError naming it."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # an author's bug: report it against the file
        raise CourseError(f"{path}: import failed: {type(exc).__name__}: {exc}") from exc
    return module


def _load_grading(path: Path, slug: str) -> GradingModule:
    module = import_content_module(path, f"course_content_{slug.replace('-', '_')}")
    for name in ("inputs", "expected", "CHECKS"):
        if not hasattr(module, name):
            raise CourseError(f"{path}: must define '{name}'")
    checks = list(module.CHECKS)
    if not checks or not all(isinstance(c, Check) for c in checks):
        raise CourseError(f"{path}: CHECKS must be a non-empty list of Check")
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise CourseError(f"{path}: check names must be unique")
    for c in checks:
        if c.visibility not in VISIBILITIES:
            raise CourseError(f"{path}: check {c.name!r} has unknown visibility {c.visibility!r}")
    misconceptions = list(getattr(module, "MISCONCEPTIONS", []))
    if not all(isinstance(m, Misconception) for m in misconceptions):
        raise CourseError(f"{path}: MISCONCEPTIONS must be a list of Misconception")
    if hasattr(module, "variant"):
        raise CourseError(f"{path}: 'variant' belongs in variant.py (standard library only)")
    return GradingModule(
        inputs=module.inputs,
        expected=module.expected,
        checks=checks,
        misconceptions=misconceptions,
    )


def load_variant(
    folder: Path, module_name: str
) -> Callable[[random.Random], dict[str, Any]] | None:
    """``variant`` from a folder's variant.py, if it has one."""
    path = folder / "variant.py"
    if not path.exists():
        return None
    module = import_content_module(path, module_name)
    variant = getattr(module, "variant", None)
    if not callable(variant):
        raise CourseError(f"{path}: must define 'variant(rng)'")
    return variant


def _hash_folder(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_folder(folder: Path) -> ExerciseSpec:
    slug = folder.name
    info = _load_info(folder / "info.json")
    protocol = info["protocol"]
    load_grading = None
    solution = ""
    if protocol != "none":
        if not (folder / "grading.py").exists():
            raise CourseError(f"{folder / 'grading.py'}: missing")
        load_grading = partial(_load_grading, folder / "grading.py", slug)
        solution = _read(_first(folder, "solution"))
    elif not info.get("parts"):
        raise CourseError(f"{folder / 'info.json'}: an exercise without a protocol needs parts")
    wrong: dict[str, str] = {}
    if (folder / "wrong").is_dir():
        for path in sorted((folder / "wrong").iterdir()):
            if path.suffix in (".py", ".txt"):
                wrong[path.stem] = _read(path)
    due = parse_datetime(info["due"]) if info.get("due") else None
    return ExerciseSpec(
        slug=slug,
        folder=folder,
        title=info["title"],
        notes_section=info["notes_section"],
        kind=info["kind"],
        protocol=protocol,
        statement=_read(folder / "statement.md"),
        starter=_read(_first(folder, "starter"), required=False),
        solution=solution,
        position=int(info.get("position", 100)),
        by_hand=bool(info.get("by_hand", False)),
        attempt_limit=info.get("attempt_limit"),
        due_at=due,
        late_penalty=float(info.get("late_penalty", 0.0)),
        score_policy=info.get("score_policy", "best"),
        parts=list(info.get("parts", [])),
        limits=dict(info.get("limits", {})),
        hints=list(info.get("hints", [])),
        hint_penalty=float(info.get("hint_penalty", 0.0)),
        load_grading=load_grading,
        variant=load_variant(folder, f"course_variant_{slug.replace('-', '_')}"),
        requires_autograd=bool(info.get("requires_autograd", False)),
        wrong_answers=wrong,
        content_hash=_hash_folder(folder),
    )


def exercise_folders(root: Path | None = None) -> list[Path]:
    root = root or content_dir()
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "info.json").exists())


class FolderCache(Generic[SpecT]):
    """Specs loaded from content folders, cached per process and reloaded when a
    folder's files change (so a worker picks up a fixed reference without a restart).

    A folder is hashed again at most every CHECK_SECONDS: hashing it on every use was
    ~0.8 ms of CPU per page and per graded answer, for a change that happens a few
    times a term."""

    CHECK_SECONDS = 2.0

    def __init__(self, marker: str, what: str, load: Callable[[Path], SpecT]) -> None:
        self.marker, self.what, self.load = marker, what, load
        self._specs: dict[str, SpecT] = {}
        self._checked: dict[str, float] = {}  # folder -> monotonic time of the last hash
        self._lock = threading.Lock()

    def get(self, slug: str) -> SpecT:
        folder = content_dir() / slug
        key, now = str(folder), time.monotonic()
        with self._lock:
            cached = self._specs.get(key)
            if cached is not None and now - self._checked[key] < self.CHECK_SECONDS:
                return cached
        if not (folder / self.marker).exists():
            raise CourseError(f"{folder}: no such {self.what}")
        current = _hash_folder(folder)
        with self._lock:
            cached = self._specs.get(key)
            self._checked[key] = now
            if cached is not None and cached.content_hash == current:  # type: ignore[attr-defined]
                return cached
            spec = self.load(folder)
            self._specs[key] = spec
            return spec


_exercises = FolderCache("info.json", "exercise", load_folder)


def load_spec(slug: str) -> ExerciseSpec:
    """The spec of one exercise (cached; see FolderCache)."""
    return _exercises.get(slug)


def preload_specs(*, grading: bool = False) -> int:
    """Load every exercise's spec now, at a process's start, rather than in its first
    requests; with ``grading`` (a grading process) also the grading modules, and with
    them torch. Returns how many loaded. A broken folder is logged and left for
    `checkcourse` to report, not raised."""
    loaded = 0
    for folder in exercise_folders():
        try:
            spec = load_spec(folder.name)
            if grading:
                _ = spec.grading
            loaded += 1
        except CourseError:
            logger.exception("exercise folder %s does not load", folder)
    return loaded


def freeze_loaded_objects(*, grading: bool = False) -> None:
    """Preload the specs, then move every object that exists now out of the garbage
    collector's reach (gc.freeze), for long-lived processes: gunicorn workers and Celery
    worker processes. With torch loaded a process tracks ~1,000,000 objects, and each
    full collection walked all of them: ~0.5 s of CPU, in the middle of a request or
    an answer, every few hundred requests."""
    import gc

    preload_specs(grading=grading)
    gc.collect()
    gc.freeze()

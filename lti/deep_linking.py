"""Deep linking: the instructor picks exercises and quizzes, the tool answers the
platform with one resource link per pick, each naming its activity in a custom
parameter and asking the platform for its own line item (so grades have a column
from the start, and exactly one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lti_tool.models import LtiLaunch
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem

from exercises.models import Exercise, Quiz

from . import tool
from .services import CUSTOM_ACTIVITY, LaunchRejected


@dataclass(frozen=True)
class Choice:
    key: str  # exercise:<slug> or quiz:<slug>
    title: str
    kind: str
    max_score: float


def choices() -> list[Choice]:
    """What an instructor may place: the active exercises, then the active quizzes."""
    items = [
        Choice(f"exercise:{e.slug}", e.title, "Exercise", e.max_score)
        for e in Exercise.objects.filter(is_active=True)
    ]
    items += [
        Choice(f"quiz:{q.slug}", q.title, "Quiz", q.max_score)
        for q in Quiz.objects.filter(is_active=True)
    ]
    return items


@dataclass(frozen=True)
class DeepLinkAnswer:
    return_url: str
    jwt: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.return_url)
        return f"{parts.scheme}://{parts.netloc}"


def deep_link_answer(
    *, request: Any, launch_id: str, keys: list[str], launch_url: str
) -> DeepLinkAnswer:
    """The signed LtiDeepLinkingResponse for the picked activities."""
    try:
        message = tool.message_launch_from_cache(request, launch_id)
    except LtiException as exc:
        raise LaunchRejected(
            "The placement request has expired; start it again from the course."
        ) from exc
    launch = LtiLaunch(message)
    if not launch.is_deep_link_launch:
        raise LaunchRejected("This launch is not a placement request.")
    by_key = {c.key: c for c in choices()}
    resources = []
    for key in keys:
        choice = by_key.get(key)
        if choice is None:
            raise LaunchRejected(f"“{key}” is not an activity of this course.")
        lineitem = (
            LineItem()
            .set_score_maximum(choice.max_score)
            .set_label(choice.title)
            .set_resource_id(choice.key)
            .set_tag(choice.key)
        )
        resources.append(
            DeepLinkResource()
            .set_url(launch_url)
            .set_title(choice.title)
            .set_custom_params({CUSTOM_ACTIVITY: choice.key})
            .set_lineitem(lineitem)
        )
    deep_link = message.get_deep_link()
    settings = (
        launch.get_claim("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
    )
    return DeepLinkAnswer(
        return_url=settings["deep_link_return_url"], jwt=deep_link.get_response_jwt(resources)
    )

"""A small LTI 1.3 platform (an LMS's side of LTI), built on the `lti1p3platform`
library and run as its own process by the LTI tests:

    python -m tests.lti.platform_app --port 8123 --tool http://localhost:8000 --state f.json

It registers the tool at --tool (login /lti/login/, launch /lti/launch/, keys
/.well-known/jwks.json) with one client id and deployment, and serves what a platform
serves: its JWKS, the OIDC auth endpoint that signs launches, the OAuth2 token endpoint,
the Assignment and Grade Services (line items, scores, results) and the deep-linking
return URL. Its course and gradebook live in the --state JSON file, so a restarted
platform still has them. Pages a person would click in an LMS are plain GET URLs:
/course/links/<id>/launch?user=…&role=… opens a placed link, /course/deep-link?user=…
starts a placement, /course/links/new?title=…&activity=… adds a link by hand (no line
item), /gradebook shows every line item and score.

Test knobs ride in the launch's lti_message_hint, as an LMS's own data would:
`tamper=signature` signs the id_token with a key the platform never published,
`expired=1` issues it already expired, `deployment=<id>` names another deployment."""

from __future__ import annotations

import argparse
import base64
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import django
import jwt
from django.conf import settings

PARSER = argparse.ArgumentParser()
PARSER.add_argument("--port", type=int, required=True)
PARSER.add_argument("--tool", required=True, help="the tool's base URL")
PARSER.add_argument("--state", required=True, help="JSON file for the course and gradebook")
PARSER.add_argument("--client-id", default="autograd-course-tool")
PARSER.add_argument("--deployment", default="deployment-1")

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        SECRET_KEY="test-platform",
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()

from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from jwcrypto.jwk import JWK  # noqa: E402
from lti1p3platform.exceptions import LineItemNotFoundException, LtiException  # noqa: E402
from lti1p3platform.framework.django.oidc_login import DjangoAPIOIDCLogin  # noqa: E402
from lti1p3platform.framework.django.request import DjangoRequest  # noqa: E402
from lti1p3platform.framework.django.response import wrap_json_resp  # noqa: E402
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract  # noqa: E402
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract  # noqa: E402
from lti1p3platform.registration import Registration  # noqa: E402
from lti1p3platform.score import UpdateScoreStatus  # noqa: E402
from lti1p3platform.service_connector import AssignmentsGradesService  # noqa: E402

ARGS: argparse.Namespace
LOCK = threading.Lock()
STATE: dict[str, Any] = {}
ROLES = {
    "Learner": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "Instructor": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
}
CONTEXT = "course-101"


def base() -> str:
    return f"http://127.0.0.1:{ARGS.port}"


def save() -> None:
    Path(ARGS.state).write_text(json.dumps(STATE, indent=1))


def load() -> None:
    path = Path(ARGS.state)
    if path.exists():
        STATE.update(json.loads(path.read_text()))
        return
    key = JWK.generate(kty="RSA", size=2048)
    rogue = JWK.generate(kty="RSA", size=2048)
    STATE.update(
        private_key=key.export_to_pem(private_key=True, password=None).decode(),
        public_key=key.export_to_pem().decode(),
        rogue_key=rogue.export_to_pem(private_key=True, password=None).decode(),
        links={},
        lineitems={},
        scores={},
        score_posts=0,
    )
    save()


class PlatformConfig(LTI1P3PlatformConfAbstract):
    """Made afresh for every request, so the tool's JWKS is fetched again each time a
    token must be checked: a platform that meets an unknown key id refetches the set."""

    def init_platform_config(self, **kwargs: Any) -> None:
        pass

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return (
            Registration()
            .set_iss(base())
            .set_client_id(ARGS.client_id)
            .set_deployment_id(ARGS.deployment)
            .set_oidc_login_url(f"{ARGS.tool}/lti/login/")
            .set_launch_url(f"{ARGS.tool}/lti/launch/")
            .set_deeplink_launch_url(f"{ARGS.tool}/lti/launch/")
            .set_tool_key_set_url(f"{ARGS.tool}/.well-known/jwks.json")
            .set_platform_public_key(STATE["public_key"])
            .set_platform_private_key(STATE["private_key"])
        )


def config() -> PlatformConfig:
    conf = PlatformConfig()
    conf.get_registration()
    return conf


def _hint(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _unhint(value: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(value.encode())))


class Login(DjangoAPIOIDCLogin):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = _hint(kwargs)


class Launch(LTIAdvantageMessageLaunchAbstract):
    knobs: dict[str, Any] = {}

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> HttpResponse:
        # What an LMS's page would auto-submit; the test's browser submits it.
        html = (
            f'<form method="post" action="{launch_data["launch_url"]}" id="launch">'
            f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
            f'<input type="hidden" name="state" value="{launch_data["state"]}"></form>'
        )
        return HttpResponse(html)

    def generate_launch_request(self) -> Any:
        data = super().generate_launch_request()
        if self.knobs.get("tamper") == "signature":
            # The same claims and key id, signed with a key the platform never published.
            header = jwt.get_unverified_header(data["id_token"])
            claims = jwt.decode(data["id_token"], options={"verify_signature": False})
            data["id_token"] = jwt.encode(
                claims, STATE["rogue_key"], algorithm="RS256", headers={"kid": header["kid"]}
            )
        return data


# --- What a person clicks in the LMS ----------------------------------------------------


def launch_link(request: HttpRequest, link_id: str) -> HttpResponse:
    """A student or instructor opens a placed link: third-party login initiation."""
    if link_id not in STATE["links"]:
        return JsonResponse({"error": "no such link"}, status=404)
    login = Login(request, config())
    login.set_lti_message_hint(link=link_id, **request.GET.dict())
    return login.set_launch_url(STATE["links"][link_id]["url"]).initiate_login(request.GET["user"])


def start_deep_link(request: HttpRequest) -> HttpResponse:
    """An instructor adds an activity from the tool: a deep-linking launch."""
    login = Login(request, config())
    login.set_lti_message_hint(deep=True, role="Instructor", **request.GET.dict())
    return login.set_deeplinking_launch_url().initiate_login(request.GET["user"])


def add_link(request: HttpRequest) -> JsonResponse:
    """An instructor adds a tool link by hand (no deep linking): a title and a custom
    parameter, and no line item; the tool finds or creates one when it has a grade."""
    with LOCK:
        link_id = f"link-{uuid.uuid4().hex[:8]}"
        STATE["links"][link_id] = {
            "id": link_id,
            "title": request.GET["title"],
            "url": f"{ARGS.tool}/lti/launch/",
            "custom": {"activity": request.GET["activity"]},
            "lineitem": None,
        }
        save()
        return JsonResponse(STATE["links"][link_id])


# --- The platform's endpoints -----------------------------------------------------------


def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(config().get_jwks())


@csrf_exempt
def auth(request: HttpRequest) -> HttpResponse:
    """The OIDC auth endpoint: checks the tool's redirect against its registration and
    answers with the signed launch."""
    params = request.GET.dict() or request.POST.dict()
    conf = config()
    reg = conf.get_registration()
    if params.get("redirect_uri") != reg.get_launch_url():
        return JsonResponse({"error": "redirect_uri is not registered"}, status=400)
    if params.get("client_id") != ARGS.client_id or params.get("response_type") != "id_token":
        return JsonResponse({"error": "bad auth request"}, status=400)
    hint = _unhint(params["lti_message_hint"])
    launch = Launch(DjangoRequest(request), conf)
    launch.knobs = hint
    user = params["login_hint"]
    launch.set_user_data(
        user,
        [ROLES[hint.get("role", "Learner")]],
        full_name=hint.get("name") or f"User {user}",
        email_address=hint.get("email") or f"{user}@lms.example",
    )
    launch.set_launch_context_claim(
        CONTEXT,
        ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        "Deep Learning 101",
        "DL101",
    )
    lineitems = f"{base()}/ags/{CONTEXT}/lineitems"
    if hint.get("deep"):
        launch.set_dl(
            f"{base()}/deep-link-return", title="Add an activity", accept_types={"ltiResourceLink"}
        )
        launch.set_ags(lineitems)
    else:
        link = STATE["links"][hint["link"]]
        launch.set_launch_url(link["url"])
        launch.set_resource_link_claim(link["id"], title=link["title"])
        launch.set_custom_parameters_claim(link["custom"])
        lineitem = link.get("lineitem")
        launch.set_ags(lineitems, f"{lineitems}/{lineitem}" if lineitem else None)
    if hint.get("deployment"):
        launch.set_extra_claims(
            {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": hint["deployment"]}
        )
    if hint.get("expired"):
        launch.set_id_token_expiration(-120)
    return launch.lti_launch()


@csrf_exempt
def token(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(dict(config().get_access_token(request.POST.dict())))
    except (LtiException, jwt.InvalidTokenError, AssertionError) as exc:
        return JsonResponse({"error": "invalid_client", "detail": str(exc)}, status=401)


@csrf_exempt
def deep_link_return(request: HttpRequest) -> JsonResponse:
    """Places the tool's content items in the course: one resource link each, and the
    line item the item asks for."""
    try:
        items = config().validate_deeplinking_resp(request.POST.dict())
    except (LtiException, jwt.InvalidTokenError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    created = []
    with LOCK:
        for item in items:
            link_id = f"link-{uuid.uuid4().hex[:8]}"
            link = {
                "id": link_id,
                "title": item["title"],
                "url": item["url"],
                "custom": item.get("custom", {}),
                "lineitem": None,
            }
            if "lineItem" in item:
                lineitem_id = _create_lineitem({**item["lineItem"], "resourceLinkId": link_id})
                link["lineitem"] = lineitem_id
            STATE["links"][link_id] = link
            created.append(link)
        save()
    return JsonResponse({"created": created})


def _create_lineitem(data: dict[str, Any]) -> str:
    lineitem_id = str(len(STATE["lineitems"]) + 1)
    STATE["lineitems"][lineitem_id] = {
        **data,
        "id": f"{base()}/ags/{CONTEXT}/lineitems/{lineitem_id}",
    }
    STATE["scores"][lineitem_id] = {}
    return lineitem_id


class Grades(AssignmentsGradesService):
    def find_lineitems(self, page: int = 1, limit: int | None = None, **filters: Any) -> Any:
        items = list(STATE["lineitems"].values())
        for name, key in (
            ("resource_link_id", "resourceLinkId"),
            ("resource_id", "resourceId"),
            ("tag", "tag"),
        ):
            if filters.get(name):
                items = [i for i in items if i.get(key) == filters[name]]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id: str) -> Any:
        if line_item_id not in STATE["lineitems"]:
            raise LineItemNotFoundException
        return STATE["lineitems"][line_item_id]

    def create_lineitem(self, creation_data: Any) -> Any:
        with LOCK:
            lineitem_id = _create_lineitem(dict(creation_data))
            save()
        return STATE["lineitems"][lineitem_id]

    def update_lineitem(self, update_data: Any) -> Any:
        raise LineItemNotFoundException

    def delete_lineitem(self, line_item_id: str) -> None:
        raise LineItemNotFoundException

    def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
        if line_item_id not in STATE["lineitems"]:
            raise LineItemNotFoundException
        with LOCK:
            STATE["score_posts"] += 1
            kept = STATE["scores"][line_item_id].get(score["userId"])
            # AGS: a score older than the one held is ignored.
            if kept and kept["timestamp"] > score["timestamp"]:
                save()
                return UpdateScoreStatus.OLD_TIMESTAMP
            STATE["scores"][line_item_id][score["userId"]] = score
            save()
        return UpdateScoreStatus.SUCCESS

    def get_results(
        self, line_item_id: str, page: int = 1, limit: int | None = None, user_id: str | None = None
    ) -> Any:
        if line_item_id not in STATE["lineitems"]:
            raise LineItemNotFoundException
        results = [
            {
                "userId": user,
                "resultScore": s["scoreGiven"],
                "resultMaximum": s["scoreMaximum"],
                "scoreOf": STATE["lineitems"][line_item_id]["id"],
            }
            for user, s in STATE["scores"][line_item_id].items()
            if user_id is None or user == user_id
        ]
        return {"content": results, "has_next": False, "next": None}


def _grades(request: HttpRequest, lineitem_id: str | None = None) -> Grades:
    lineitems = f"{base()}/ags/{CONTEXT}/lineitems"
    return Grades(
        DjangoRequest(request),
        config(),
        lineitems,
        f"{lineitems}/{lineitem_id}" if lineitem_id else None,
    )


@csrf_exempt
def ags_lineitems(request: HttpRequest, context: str) -> HttpResponse:
    service = _grades(request)
    handler = (
        service.handle_create_lineitem if request.method == "POST" else service.handle_get_lineitems
    )
    return wrap_json_resp(service.handle_resp(handler))


@csrf_exempt
def ags_lineitem(request: HttpRequest, context: str, lineitem_id: str) -> HttpResponse:
    service = _grades(request, lineitem_id)
    return wrap_json_resp(
        service.handle_resp(service.handle_get_lineitem, line_item_id=lineitem_id)
    )


@csrf_exempt
def ags_scores(request: HttpRequest, context: str, lineitem_id: str) -> HttpResponse:
    service = _grades(request, lineitem_id)
    return wrap_json_resp(
        service.handle_resp(service.handle_update_score, line_item_id=lineitem_id)
    )


@csrf_exempt
def ags_results(request: HttpRequest, context: str, lineitem_id: str) -> HttpResponse:
    service = _grades(request, lineitem_id)
    return wrap_json_resp(service.handle_resp(service.handle_get_results, line_item_id=lineitem_id))


def gradebook(request: HttpRequest) -> JsonResponse:
    """The platform's own view of its course: links, line items, scores."""
    with LOCK:
        return JsonResponse({k: STATE[k] for k in ("links", "lineitems", "scores", "score_posts")})


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "issuer": base(), "time": time.time()})


urlpatterns = [
    path("ping", ping),
    path("jwks", jwks),
    path("auth", auth),
    path("token", token),
    path("deep-link-return", deep_link_return),
    path("course/deep-link", start_deep_link),
    path("course/links/new", add_link),
    path("course/links/<str:link_id>/launch", launch_link),
    path("gradebook", gradebook),
    path("ags/<str:context>/lineitems", ags_lineitems),
    path("ags/<str:context>/lineitems/<str:lineitem_id>", ags_lineitem),
    path("ags/<str:context>/lineitems/<str:lineitem_id>/scores", ags_scores),
    path("ags/<str:context>/lineitems/<str:lineitem_id>/results", ags_results),
]


def main() -> None:
    global ARGS
    ARGS = PARSER.parse_args()
    load()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import run

    run("127.0.0.1", ARGS.port, WSGIHandler(), threading=True)


if __name__ == "__main__":
    main()

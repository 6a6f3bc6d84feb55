import json

import pytest
from django.core.management import call_command
from django.test import Client

from grader.models import Submission
from grader.services import submission_grade


def _post(client: Client, payload: object, **headers: str):
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    return client.post("/api/v1/submissions", body, content_type="application/json", **headers)


def test_anonymous_requests_get_401(course) -> None:
    response = _post(Client(), {"exercise": "chain-rule", "answer": "x"})
    assert response.status_code == 401
    assert "Authentication required" in response.json()["error"]


def test_submit_then_read_the_graded_result(course, student) -> None:
    client = Client()
    client.force_login(student)
    response = _post(client, {"exercise": "chain-rule", "answer": "2x cos(x^2)"})
    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "queued"
    assert data["url"].endswith(f"/api/v1/submissions/{data['id']}")
    pending = client.get(f"/api/v1/submissions/{data['id']}").json()
    assert pending["status"] == "queued" and pending["checks"] == []
    submission_grade(submission_id=data["id"])
    result = client.get(f"/api/v1/submissions/{data['id']}").json()
    assert result["status"] == "graded"
    assert (result["score"], result["max_score"]) == (10, 10)
    assert result["read_as"] == "2*x*cos(x^2)"
    visible, hidden = result["checks"]
    assert visible["status"] == "passed" and visible["output"] == "matches"
    assert hidden["visibility"] == "hidden" and hidden["output"] == "" and hidden["hidden"]


def test_session_posts_still_need_csrf(course, student) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = _post(client, {"exercise": "chain-rule", "answer": "x"})
    assert response.status_code == 403
    assert Submission.objects.count() == 0


def test_token_auth_works_without_csrf_and_rotation_revokes(course, student, capsys) -> None:
    call_command("apitoken", student.username)
    token = capsys.readouterr().out.strip()
    client = Client(enforce_csrf_checks=True)
    ok = _post(
        client, {"exercise": "chain-rule", "answer": "x"}, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert ok.status_code == 202
    assert Submission.objects.get().student == student
    call_command("apitoken", student.username)
    capsys.readouterr()
    stale = _post(
        client, {"exercise": "chain-rule", "answer": "x"}, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert stale.status_code == 401 and stale.json()["error"] == "Invalid API token."


def test_tokens_are_stored_hashed(course, student, capsys) -> None:
    call_command("apitoken", student.username)
    token = capsys.readouterr().out.strip()
    from accounts.models import ApiToken

    stored = ApiToken.objects.get(user=student).key_hash
    assert token not in stored and len(stored) == 64


def test_no_token_starts_like_a_command_line_option(course, student) -> None:
    # `autograd-course submit --token -Xy...` would read the token as an option:
    # one token in 64 started with "-" before tokens had a prefix.
    from accounts.services import api_token_rotate

    tokens = [api_token_rotate(user=student) for _ in range(300)]
    assert all(t.startswith("agc_") for t in tokens)
    assert len(set(tokens)) == 300


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"exercise": "nope", "answer": "x"}, 404, "Unknown exercise 'nope'"),
        ({"answer": "x"}, 400, "'exercise' (a slug) is required"),
        ({"exercise": "chain-rule", "answer": ""}, 400, "The answer is empty"),
        ({"exercise": "chain-rule", "answer": "2x cos("}, 400, "Could not read the formula"),
        ({"exercise": "chain-rule", "answer": "x\u0000"}, 400, "NUL byte"),
        ({"exercise": "chain-rule", "answer": "x" * 200_000}, 413, "the limit is"),
        ({"exercise": "fix-runtime-error", "answer": "def f(:\n"}, 400, "SyntaxError on line 1"),
        ([1, 2], 400, "Send a JSON object"),
        (b"\xff\xfe not utf-8", 400, "not UTF-8"),
        (b"{not json", 400, "not JSON"),
        (b"x" * 300_000, 413, "Request body over"),
    ],
)
def test_bad_input_gets_a_clear_4xx_and_nothing_is_stored(
    course, student, payload, status, message
) -> None:
    client = Client()
    client.force_login(student)
    response = _post(client, payload)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert Submission.objects.count() == 0


def test_a_student_cannot_read_another_students_submission(course, student, other_student) -> None:
    owner = Client()
    owner.force_login(student)
    sub_id = _post(owner, {"exercise": "chain-rule", "answer": "x"}).json()["id"]
    intruder = Client()
    intruder.force_login(other_student)
    response = intruder.get(f"/api/v1/submissions/{sub_id}")
    assert response.status_code == 404
    assert intruder.get(f"/submissions/{sub_id}/result").status_code == 404
    assert owner.get(f"/api/v1/submissions/{sub_id}").status_code == 200

"""The new exercises on the student page: own numbers in the statement and parts."""

from django.test import Client

from exercises.course import load_spec
from exercises.spec import variant_seed
from grader.models import Submission
from grader.services import submission_grade


def test_power_rule_shows_each_student_their_own_point(course, student, other_student) -> None:
    spec = load_spec("power-rule")
    for user in (student, other_student):
        client = Client()
        client.force_login(user)
        page = client.get("/exercises/power-rule/").content.decode()
        x0 = spec.params(variant_seed(user.pk, "power-rule"))["x0"]
        assert f"<mn>{abs(x0):g}</mn>" in page  # in the statement, as math
        assert f"what is dy/dx at x = {x0:g}?" in page  # in the numeric part's label


def test_the_numeric_part_and_the_code_are_graded_together(course, student) -> None:
    spec = load_spec("power-rule")
    params = spec.params(variant_seed(student.pk, "power-rule"))
    client = Client()
    client.force_login(student)
    client.post(
        "/exercises/power-rule/", {"answer": spec.solution, "part_slope": str(params["y0"])}
    )
    sub = Submission.objects.get()
    submission_grade(submission_id=sub.pk)
    card = client.get(f"/submissions/{sub.pk}/result").content.decode()
    assert "6 / 10" in card and "That is y = x² itself" in card


def test_a_choice_part_and_a_named_tracking_mistake_on_the_page(course, student) -> None:
    spec = load_spec("no-grad-inference")
    client = Client()
    client.force_login(student)
    client.post(
        "/exercises/no-grad-inference/",
        {
            "answer": spec.starter,
            "part_permanent": "detach",
            "part_new_tensor": "detach",
            "part_temporary": "no_grad",
        },
    )
    sub = Submission.objects.get()
    submission_grade(submission_id=sub.pk)
    card = client.get(f"/submissions/{sub.pk}/result").content.decode()
    assert "preds still requires grad: the evaluation built a graph" in card
    assert 'data-name="still-tracking"' in card
    assert "detach() leaves x as it was" in card

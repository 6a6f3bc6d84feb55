"""The lecture notes as pages: one per §, anchored, with the original heading, the
lecture's examples and what practises them; "§N" in course text and feedback links
there, and student text is escaped before anything is linked."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from grader.quiz_attempts import quiz_attempt_grade
from grader.quiz_grading import reference_quiz_answers
from notes.pages import link_sections, note_pages, section_refs, sections_of

pytestmark = pytest.mark.django_db


def test_there_is_one_page_per_section_of_the_lecture() -> None:
    pages = note_pages()
    assert sorted(pages) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert pages[3].original == "Autograd Kya Hai? (What is Autograd?)"
    assert pages[6].original == "Gradients ko Manage Karna (Managing Gradients)"
    # The lecture's own examples, rendered as math (MathML), not left as LaTeX.
    assert "<math" in pages[1].body_html and "$" not in pages[1].body_html
    assert 'id="s1-example"' in pages[1].body_html


def test_a_notes_page_shows_both_headings_its_anchor_and_what_practises_it(
    client, course, student
) -> None:
    client.force_login(student)
    html = client.get("/notes/4/").content.decode()
    assert '<h1 id="s4">§4 A neural-network example, binary cross-entropy</h1>' in html
    assert "Manual Calculation vs. Autograd" in html
    assert "kitna lamba kaam hai" in html  # the Hinglish line of the original
    assert 'href="/exercises/bce-manual-gradients/"' in html
    assert 'href="/exercises/bce-autograd/"' in html
    assert 'href="/exercises/power-rule/"' not in html
    assert "Autograd quiz (§1–8)</a>, question 7" in html  # the quiz's questions on §4


def test_an_exercise_practising_two_sections_is_listed_on_both(client, course, student) -> None:
    client.force_login(student)
    for n in (3, 5):
        assert 'href="/exercises/autograd-basics/"' in client.get(f"/notes/{n}/").content.decode()


def test_the_notes_index_lists_every_page_and_an_unknown_section_is_404(
    client, course, student
) -> None:
    client.force_login(student)
    html = client.get("/notes/").content.decode()
    assert len(re.findall(r'href="/notes/\d/#s\d"', html)) == 8
    assert "Gradient Tracking ko Kab aur Kaise Rokein?" in html
    assert client.get("/notes/9/").status_code == 404


def test_notes_need_a_login(client) -> None:
    assert client.get("/notes/1/").status_code == 302


def test_the_exercise_page_links_the_section_it_practises_and_the_sections_in_its_statement(
    client, course, student
) -> None:
    client.force_login(student)
    html = client.get("/exercises/autograd-basics/").content.decode()
    assert (
        'practises <span class="practises">notes <a class="section-link" href="/notes/3/#s3">§3</a>, <a class="section-link" href="/notes/5/#s5">§5</a>'
        in html
    )
    statement = html.split('<div class="statement">')[1].split("</div>")[0]
    assert '(<a class="section-link" href="/notes/3/#s3">§3</a>)' in statement
    assert 'steps of <a class="section-link" href="/notes/5/#s5">§5</a>' in statement


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("see §4 of the notes", ["/notes/4/#s4"]),
        ("(§7–8)", ["/notes/7/#s7", "/notes/8/#s8"]),
        ("§5, §8", ["/notes/5/#s5", "/notes/8/#s8"]),
        ("§3 and 5", ["/notes/3/#s3", "/notes/5/#s5"]),
        ("§9 does not exist", []),
        ("no section here: 4", []),
    ],
)
def test_section_references_become_links_to_existing_pages(text, linked) -> None:
    html = link_sections(text)
    assert [part.split('"')[0] for part in html.split('href="')[1:]] == linked


def test_sections_inside_code_and_links_are_left_alone() -> None:
    html = '<code>x = "§4"</code> <a href="/x">§2</a> and §1'
    assert link_sections(html) == (
        '<code>x = "§4"</code> <a href="/x">§2</a> and '
        '<a class="section-link" href="/notes/1/#s1">§1</a>'
    )


def test_the_filter_escapes_student_text_before_linking_it() -> None:
    template = Template("{% load notes_tags %}{{ text|section_links }}")
    html = template.render(Context({"text": '<img src=x onerror=alert(1)> "§4"'}))
    assert "<img" not in html
    assert html == (
        "&lt;img src=x onerror=alert(1)&gt; &quot;"
        '<a class="section-link" href="/notes/4/#s4">§4</a>&quot;'
    )


def test_section_fields_and_references_name_their_numbers() -> None:
    assert sections_of("3, 5") == [3, 5]
    assert sections_of("1–8") == list(range(1, 9))
    assert sections_of("7-8") == [7, 8]
    assert section_refs("reread §2 and §7–8, not 4") == [2, 7, 8]


def test_quiz_feedback_links_its_sections_and_each_question_names_its_section(
    client, course, student
) -> None:
    Quiz.objects.filter(slug="autograd-quiz").update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(student)
    page = client.post("/quizzes/autograd-quiz/start", follow=True).content.decode()
    assert 'href="/notes/4/#s4">§4</a>' in page  # the question's section, as a link
    attempt = QuizAttempt.objects.get(student=student)
    answers = reference_quiz_answers(
        load_quiz_spec("autograd-quiz"), load_quiz_spec("autograd-quiz").params(attempt.seed)
    )
    answers["why-autograd"] = "single"  # feedback: "... nesting is what gets hard (§1)."
    client.post("/quizzes/autograd-quiz/attempts/1/", {f"q_{k}": v for k, v in answers.items()})
    quiz_attempt_grade(attempt_id=attempt.pk)
    state = client.get("/quizzes/autograd-quiz/attempts/1/state").content.decode()
    assert (
        'nesting is what gets hard (<a class="section-link" href="/notes/1/#s1">§1</a>).' in state
    )

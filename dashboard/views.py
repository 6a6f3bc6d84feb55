"""The instructor dashboard: gradebook, exercise statistics, one student, exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from exercises.models import Exercise, Quiz
from grader.extensions import ExtensionRejected, Rejudged, extension_remove, extension_set
from grader.standing import CourseStanding, course_standing

from . import charts, exports, item_selectors, quiz_selectors, selectors
from .forms import ExtensionForm, ExtensionRemoveForm
from .gradebook import gradebook as gradebook_read
from .permissions import instructor_required


@require_GET
@instructor_required
def gradebook(request: HttpRequest) -> HttpResponse:
    book = gradebook_read(
        query=request.GET.get("q", "").strip()[:100],
        sort=request.GET.get("sort", "name"),
        page=request.GET.get("page", 1),
    )
    return render(request, "dashboard/gradebook.html", {"book": book})


@require_GET
@instructor_required
def exercise_list(request: HttpRequest) -> HttpResponse:
    summaries = selectors.exercise_summaries()
    chart = charts.bar_chart(
        title="Solve rate by exercise (% of students who tried)",
        labels=[s.exercise.title for s in summaries],
        values=[round(100 * (s.solve_rate or 0.0), 1) for s in summaries],
        series="solve rate %",
    )
    return render(
        request,
        "dashboard/exercises.html",
        {"summaries": summaries, "quizzes": quiz_selectors.quiz_summaries(), "chart": chart},
    )


@require_GET
@instructor_required
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise, slug=slug)
    stats = selectors.exercise_stats(exercise=exercise)
    items = item_selectors.exercise_item_stats(
        exercise=exercise, totals=item_selectors.course_totals()
    )
    chart = charts.bar_chart(
        title=f"{exercise.title}: students by best score",
        labels=[b.label for b in stats.distribution],
        values=[b.count for b in stats.distribution],
        series="students",
    )
    context = {
        "stats": stats,
        "items": items,
        "chart": chart,
        "hint_usage": selectors.hint_usage(exercise=exercise),
    }
    return render(request, "dashboard/exercise.html", context)


@require_GET
@instructor_required
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(Quiz, slug=slug)
    stats = quiz_selectors.quiz_stats(quiz=quiz)
    chart = charts.bar_chart(
        title=f"{quiz.title}: students by kept score",
        labels=[b.label for b in stats.distribution],
        values=[b.count for b in stats.distribution],
        series="students",
    )
    return render(
        request, "dashboard/quiz.html", {"stats": stats, "items": stats.items, "chart": chart}
    )


@require_GET
@instructor_required
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student = get_object_or_404(get_user_model(), pk=pk)
    return _render_student(request, student)


def _render_student(
    request: HttpRequest, student: Any, posted: ExtensionForm | None = None, status: int = 200
) -> HttpResponse:
    view = selectors.student_view(student=student, page=request.GET.get("page", 1))
    extension_form = posted or ExtensionForm(items=_due_choices(view.standing))
    timeline = selectors.score_timeline(student=student)
    # pygal cannot draw a time axis without a series: no graded work, no chart.
    chart = (
        charts.timeline_chart(title="Graded scores over time (% of max)", series=timeline)
        if timeline
        else None
    )
    context = {
        "view": view,
        "chart": chart,
        "extension_form": extension_form,
    }
    return render(request, "dashboard/student.html", context, status=status)


def _due_choices(standing: CourseStanding) -> list[tuple[str, str]]:
    return [(s.item.ref, s.item.title) for s in standing.due_items]


def _rejudged_message(done: Rejudged) -> str:
    parts = []
    if done.now_on_time:
        parts.append(f"{done.now_on_time} answer(s) now on time")
    if done.now_late:
        parts.append(f"{done.now_late} answer(s) now late")
    if done.regraded:
        parts.append(f"{done.regraded} regraded for the late penalty")
    return "; ".join(parts) or "no earlier answer changes"


@require_POST
@instructor_required
def student_extension(request: HttpRequest, pk: int) -> HttpResponse:
    student = get_object_or_404(get_user_model(), pk=pk)
    form = ExtensionForm(request.POST, items=_due_choices(course_standing(student=student)))
    if form.is_valid():
        item = form.cleaned_data["item"]
        try:
            done = extension_set(
                actor=request.user,  # type: ignore[arg-type]
                student_id=student.pk,
                item=item,
                due_at=form.cleaned_data["due_at"],
                reason=form.cleaned_data["reason"],
            )
        except ExtensionRejected as exc:
            form.add_error(None, str(exc))
        else:
            due = timezone.localtime(form.cleaned_data["due_at"])
            messages.success(
                request,
                f"{student.get_username()} is now due on “{item.title}” at "
                f"{due:%Y-%m-%d %H:%M}: {_rejudged_message(done)}.",
            )
            return redirect("dashboard:student", pk=pk)
    return _render_student(request, student, form, status=400)


@require_POST
@instructor_required
def student_extension_remove(request: HttpRequest, pk: int) -> HttpResponse:
    student = get_object_or_404(get_user_model(), pk=pk)
    form = ExtensionRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Removing an extension needs a reason.")
        return redirect("dashboard:student", pk=pk)
    item = form.cleaned_data["item"]
    try:
        done = extension_remove(
            actor=request.user,  # type: ignore[arg-type]
            student_id=student.pk,
            item=item,
            reason=form.cleaned_data["reason"],
        )
    except ExtensionRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Extension on “{item.title}” removed for {student.get_username()}: "
            f"{_rejudged_message(done)}.",
        )
    return redirect("dashboard:student", pk=pk)


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}-{timezone.now():%Y%m%d-%H%M}'


@require_GET
@instructor_required
def gradebook_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.gradebook_csv(query=request.GET.get("q", "").strip()[:100]),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = _attachment("gradebook") + '.csv"'
    return response


def _export_scope(request: HttpRequest) -> dict[str, object]:
    slug = request.GET.get("exercise", "")
    exercise = get_object_or_404(Exercise, slug=slug) if slug else None
    return {
        "exercise_id": exercise.pk if exercise else None,
        "student": request.GET.get("student", ""),
    }


@require_GET
@instructor_required
def submissions_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.submissions_csv(**_export_scope(request)),  # type: ignore[arg-type]
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = _attachment("submissions") + '.csv"'
    return response


@require_GET
@instructor_required
def submissions_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.submissions_json(**_export_scope(request)),  # type: ignore[arg-type]
        content_type="application/json",
    )
    response["Content-Disposition"] = _attachment("submissions") + '.json"'
    return response

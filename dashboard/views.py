"""The instructor dashboard: gradebook, exercise statistics, one student, exports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from exercises.models import Exercise, Quiz

from . import charts, exports, item_selectors, quiz_selectors, selectors
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
    view = selectors.student_view(student=student, page=request.GET.get("page", 1))
    timeline = selectors.score_timeline(student=student)
    # pygal cannot draw a time axis without a series: no graded work, no chart.
    chart = (
        charts.timeline_chart(title="Graded scores over time (% of max)", series=timeline)
        if timeline
        else None
    )
    return render(
        request,
        "dashboard/student.html",
        {"view": view, "chart": chart},
    )


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

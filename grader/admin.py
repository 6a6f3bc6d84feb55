"""Django admin for grading rows: Submission and Score with filters and actions; the
console's overrides, regrade jobs and audit log read-only (the audit log can be
neither changed nor deleted here, nor anywhere else in the UI)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    AuditLogEntry,
    HintUnlock,
    RegradeJob,
    Score,
    ScoreOverride,
    Submission,
    SubmissionResultHistory,
)
from .regrade import regrade_request


class ScoreBandFilter(admin.SimpleListFilter):
    """Score as a share of the maximum, in bands a grader thinks in."""

    title = "score"
    parameter_name = "band"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("zero", "0"), ("partial", "partial"), ("full", "full marks"), ("none", "no score")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        from django.db.models import F

        value = self.value()
        if value == "zero":
            return queryset.filter(score=0)
        if value == "partial":
            return queryset.filter(score__gt=0, score__lt=F("max_score"))
        if value == "full":
            return queryset.filter(score__gte=F("max_score"))
        if value == "none":
            return queryset.filter(score__isnull=True)
        return queryset


class HasMisconceptionFilter(admin.SimpleListFilter):
    title = "misconception"
    parameter_name = "misconceived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "named"), ("no", "none")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "yes":
            return queryset.exclude(misconception="")
        if self.value() == "no":
            return queryset.filter(misconception="")
        return queryset


class HistoryInline(admin.TabularInline):
    model = SubmissionResultHistory
    extra = 0
    can_delete = False
    fields = ("replaced_at", "job", "status", "score", "misconception", "grader_version")
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "id", "submitted_at", "student", "exercise", "attempt", "status", "score",
        "max_score", "is_late", "misconception", "grader_version", "console_link",
    )  # fmt: skip
    # No date_hierarchy and no grader_version filter: both run a DISTINCT over every
    # submission on each page (0.5 s at 200,000 rows); the submitted_at filter's
    # ranges (today, past 7 days, this month) cost nothing.
    list_filter = (
        "status", "exercise", ScoreBandFilter, HasMisconceptionFilter, "is_late", "submitted_at",
    )  # fmt: skip
    list_select_related = ("student", "exercise")
    search_fields = ("student__username", "misconception", "=id")
    show_full_result_count = False  # no COUNT(*) over the whole table per page
    actions = ("regrade_selected",)
    inlines = (HistoryInline,)
    readonly_fields = (
        "student", "exercise", "answer", "parts", "status", "score", "max_score", "results",
        "error_message", "sandbox_stdout", "sandbox_stderr", "seed", "attempt", "is_late",
        "misconception", "grader_version", "grade_attempts", "timings", "submitted_at",
        "enqueued_at", "started_at", "graded_at",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return super().get_queryset(request).defer("results", "sandbox_stdout", "sandbox_stderr")

    # Submissions change only through grading, regrades and overrides (with audit).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="console")
    def console_link(self, obj: Submission) -> str:
        return format_html('<a href="{}">open</a>', reverse("console:submission", args=[obj.pk]))

    @admin.action(description="Regrade selected submissions", permissions=["view"])
    def regrade_selected(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        if not request.user.is_staff:
            return
        job = regrade_request(
            actor=request.user,
            submission_ids=list(queryset.values_list("id", flat=True)),
            reason="from the Django admin",
        )
        url = reverse("console:regrade", args=[job.pk])
        self.message_user(
            request,
            format_html(
                'Regrade #{} requested: <a href="{}">follow its progress</a>.', job.pk, url
            ),
            messages.SUCCESS,
        )


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = (
        "student", "exercise", "kept_score", "best_score", "latest_score", "max_score",
        "attempts", "is_late", "solved_at",
    )  # fmt: skip
    list_filter = ("exercise", "is_late")
    list_select_related = ("student", "exercise")
    search_fields = ("student__username",)
    show_full_result_count = False
    actions = ("recompute",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A Score is derived from submissions; change it with an override on one.
        return [f.name for f in Score._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Recompute from submissions (and overrides)", permissions=["view"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[Score]) -> None:
        from .services import score_refresh

        if not request.user.is_staff:
            return
        n = 0
        for score in queryset.select_related("exercise"):
            score_refresh(student_id=score.student_id, exercise=score.exercise)
            n += 1
        self.message_user(request, f"Recomputed {n} score(s).", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff; no add, change or delete, and no bulk delete action."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "actor_username", "action", "submission", "student", "exercise",
        "old_value", "new_value", "reason",
    )  # fmt: skip
    list_filter = ("action", "created_at")
    list_select_related = ("submission", "student", "exercise")
    search_fields = ("actor_username", "reason", "student__username")
    date_hierarchy = "created_at"


@admin.register(ScoreOverride)
class ScoreOverrideAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "submission", "score", "created_by", "revoked_at", "reason")
    list_filter = ("revoked_at",)
    list_select_related = ("submission", "created_by")


@admin.register(RegradeJob)
class RegradeJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "created_by", "scope", "exercise", "status", "total")
    list_filter = ("scope", "status")
    list_select_related = ("created_by", "exercise")


@admin.register(HintUnlock)
class HintUnlockAdmin(ReadOnlyAdmin):
    list_display = ("unlocked_at", "student", "exercise", "number", "how")
    list_filter = ("how", "exercise")
    list_select_related = ("student", "exercise")

from django.contrib import admin

from .models import Exercise, Quiz, QuizAttempt


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "notes_section", "kind", "max_score", "due_at", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["slug", "title"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "max_score", "time_limit_seconds", "opens_at", "closes_at"]
    search_fields = ["slug", "title"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "student", "number", "status", "score", "max_score", "timed_out"]
    list_filter = ["quiz", "status", "timed_out"]
    search_fields = ["student__username"]
    list_select_related = ["quiz", "student"]
    # Attempts are written by the quiz services only: the admin reads them.
    readonly_fields = [f.name for f in QuizAttempt._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

from django.contrib import admin

from .models import Exercise


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "title", "notes_section", "kind", "max_score", "due_at", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["slug", "title"]

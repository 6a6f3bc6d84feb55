"""The admin registers platforms (django-lti's LtiRegistration, with its deployments
inline) and can read what launches recorded here."""

from __future__ import annotations

from django.contrib import admin

from .models import ActivityLink, GradePublication, LtiAccount


@admin.register(LtiAccount)
class LtiAccountAdmin(admin.ModelAdmin):
    list_display = ["sub", "issuer", "user", "name", "last_launch_at"]
    search_fields = ["sub", "issuer", "user__username", "name"]
    readonly_fields = ["issuer", "sub", "user", "created_at", "last_launch_at"]


@admin.register(ActivityLink)
class ActivityLinkAdmin(admin.ModelAdmin):
    list_display = ["resource_link", "exercise", "quiz", "lineitem_url", "created_at"]
    readonly_fields = ["resource_link", "created_at"]


@admin.register(GradePublication)
class GradePublicationAdmin(admin.ModelAdmin):
    list_display = ["account", "link", "state", "score_given", "sent_score", "sent_at", "tries"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in GradePublication._meta.get_fields() if f.concrete]

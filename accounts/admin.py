from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User

from .models import ApiToken, OidcIdentity


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["user", "key_hash", "created_at"]


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "created_at", "last_login_at"]
    readonly_fields = ["issuer", "subject", "created_at", "last_login_at"]
    search_fields = ["user__username", "subject"]


class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, with its two widgets that fail WCAG 2.1 AA replaced: the
    two-box group/permission picker (its icons carry aria-label on a role-less span) by
    plain labelled lists, and the unlabelled date/time pairs of last login and joining
    by read-only text (they are records, not settings)."""

    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")


admin.site.unregister(User)
admin.site.register(User, UserAdmin)

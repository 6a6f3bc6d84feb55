from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import LoginView, api_token, favicon, healthz

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/", api_token, name="api-token"),
    path("oidc/", include("accounts.sso_urls")),
    path("healthz", healthz, name="healthz"),
    # Pages name the icon themselves; this is for what asks the root (JSON, old browsers).
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", include("grader.api_urls")),
    path("dashboard/", include("dashboard.urls")),
    path("console/", include("dashboard.console_urls")),
    path("notes/", include("notes.urls")),
    path("console/lti/", include("lti.console_urls")),
    path("", include("lti.urls")),
    path("", include("grader.urls")),
    path("", include("grader.student_urls")),
]

handler500 = "autograd_course.errors.server_error"

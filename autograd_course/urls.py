from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import healthz

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("grader.api_urls")),
    path("dashboard/", include("dashboard.urls")),
    path("console/", include("dashboard.console_urls")),
    path("notes/", include("notes.urls")),
    path("", include("grader.urls")),
    path("", include("grader.student_urls")),
]

handler500 = "autograd_course.errors.server_error"

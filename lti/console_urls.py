"""The console's grade passback page, mounted under /console/lti/ beside the
dashboard's console pages (the dashboard does not import this app)."""

from django.urls import path

from . import views

app_name = "lti_console"

urlpatterns = [
    path("", views.passback, name="passback"),
    path("<int:pk>/resend", views.passback_resend, name="resend"),
]

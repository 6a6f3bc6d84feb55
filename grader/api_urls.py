from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    # CSRF still applies to session-authenticated POSTs (see the view); token requests
    # are exempted by accounts.middleware.
    path("submissions", api.submissions_create, name="submissions"),
    path("submissions/<int:pk>", api.submissions_detail, name="submission"),
]

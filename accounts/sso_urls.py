from django.urls import path

from .sso import OidcCallbackView, OidcLoginView

# The names are mozilla-django-oidc's: its views reverse them.
urlpatterns = [
    path("authenticate/", OidcLoginView.as_view(), name="oidc_authentication_init"),
    path("callback/", OidcCallbackView.as_view(), name="oidc_authentication_callback"),
]

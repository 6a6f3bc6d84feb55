"""The LTI 1.3 protocol, through pylti1p3 and django-lti (lti_tool): which platform
registration and deployment a message belongs to, and the tool's own keys.

Two choices differ from django-lti's defaults, on purpose:
- a deployment id the admin has not registered (and left active) is refused, where
  django-lti would create it on the fly: an unknown deployment must create nothing;
- the OIDC login always sends the platform our own launch URL as `redirect_uri`,
  whatever `target_link_uri` says, so a crafted login request cannot have the
  platform post an id_token anywhere else."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from lti_tool.models import Key, LtiDeployment, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deployment import Deployment
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.registration import Registration


class ToolConfig(DjangoToolConfig):
    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        # A platform may leave client_id out of the login request; then the issuer
        # must have exactly one active registration here.
        registrations = LtiRegistration.objects.active().filter(issuer=iss)
        if client_id:
            registrations = registrations.filter(client_id=client_id)
        found = list(registrations[:2])
        if len(found) != 1:
            return None
        self.registration = found[0]
        return self.registration.to_registration()

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        client_id = self.registration.client_id if self.registration else None
        return self.find_deployment_by_params(iss, deployment_id, client_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        deployment = (
            LtiDeployment.objects.active()
            .filter(
                registration__issuer=iss,
                registration__client_id=client_id,
                registration__is_active=True,
                deployment_id=deployment_id,
            )
            .first()
        )
        if deployment is None:
            return None
        self.deployment = deployment
        return Deployment().set_deployment_id(deployment.deployment_id)


def launch_storage() -> DjangoCacheDataStorage:
    """Where the login's state and nonce wait for the launch: the shared cache (Redis
    in production), so the launch may reach another web process than the login."""
    return DjangoCacheDataStorage()


def oidc_login(request: Any) -> DjangoOIDCLogin:
    return DjangoOIDCLogin(request, ToolConfig(), launch_data_storage=launch_storage())


def message_launch(request: Any) -> DjangoMessageLaunch:
    return DjangoMessageLaunch(request, ToolConfig(), launch_data_storage=launch_storage())


def message_launch_from_cache(request: Any, launch_id: str) -> MessageLaunch:
    return DjangoMessageLaunch.from_cache(
        launch_id, request, ToolConfig(), launch_data_storage=launch_storage()
    )


def tool_key_ensure() -> Key:
    """The key the tool signs with (the newest active one), made on first use.

    Rotation (`manage.py rotate_keys`, from django-lti) adds a new key and retires
    keys older than a week; the JWKS serves every active key, so platforms that
    cached the previous key still verify messages until they fetch the set again."""
    key = Key.objects.active().order_by("-datetime_created").first()
    if key is None:
        with transaction.atomic():  # two first requests at once may make two keys: harmless
            key = Key.objects.generate()
    return key


def tool_jwks() -> dict[str, Any]:
    tool_key_ensure()
    jwks: dict[str, Any] = Key.objects.as_jwks()
    return jwks


def registration_for_services(registration: LtiRegistration) -> Registration:
    """pylti1p3's registration for calls the tool makes on its own (grade passback)."""
    tool_key_ensure()
    reg: Registration = registration.to_registration()
    return reg

"""Registering a platform (an LMS) and its deployments: what an admin enters in the
Django admin, or through `manage.py lti_platform` for scripted set-ups."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from lti_tool.models import LtiDeployment, LtiRegistration

from . import tool


@transaction.atomic
def platform_register(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_url: str,
    token_url: str,
    keyset_url: str,
    deployment_ids: Iterable[str],
) -> LtiRegistration:
    """Create or update the registration for (issuer, client id) and activate the
    given deployments. Deployments not named are left as they are: a platform's other
    deployments are switched off in the admin, never by omission."""
    registration, _ = LtiRegistration.objects.update_or_create(
        issuer=issuer,
        client_id=client_id,
        defaults={
            "name": name,
            "auth_url": auth_url,
            "token_url": token_url,
            "keyset_url": keyset_url,
            "is_active": True,
        },
    )
    for deployment_id in deployment_ids:
        LtiDeployment.objects.update_or_create(
            registration=registration, deployment_id=deployment_id, defaults={"is_active": True}
        )
    tool.tool_key_ensure()
    return registration

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lti.platforms import platform_register


class Command(BaseCommand):
    help = "Register an LTI 1.3 platform (or update it) and activate its deployment ids."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--issuer", required=True, help="the platform's issuer (iss)")
        parser.add_argument("--client-id", required=True, help="the tool's client id there")
        parser.add_argument("--auth-url", required=True, help="OIDC authentication URL")
        parser.add_argument("--token-url", required=True, help="OAuth2 access token URL")
        parser.add_argument("--keyset-url", required=True, help="the platform's JWKS URL")
        parser.add_argument(
            "--deployment", action="append", required=True, help="a deployment id (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        registration = platform_register(
            name=options["name"],
            issuer=options["issuer"],
            client_id=options["client_id"],
            auth_url=options["auth_url"],
            token_url=options["token_url"],
            keyset_url=options["keyset_url"],
            deployment_ids=options["deployment"],
        )
        deployments = ", ".join(
            registration.deployments.filter(is_active=True).values_list("deployment_id", flat=True)
        )
        self.stdout.write(
            f"Registered {registration.name}: {registration.issuer} (client id "
            f"{registration.client_id}), active deployments: {deployments}"
        )

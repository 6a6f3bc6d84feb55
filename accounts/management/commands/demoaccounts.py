from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the demo accounts student, instructor and admin (password: $DEMO_PASSWORD or random)."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        names = demo_accounts_ensure(password=password)
        self.stdout.write(f"Demo accounts {', '.join(names)} — password: {password}")

"""Run the test OpenID Connect provider: `python -m tests.oidc_provider_site.serve`.

Reads its users and its one client from OIDC_TEST_PROVIDER_SETUP (JSON), listens on a
free 127.0.0.1 port and prints `listening <url>` once it answers requests."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("provider: " + format % args + "\n")


def main() -> None:
    setup = json.loads(os.environ["OIDC_TEST_PROVIDER_SETUP"])
    app: list[Any] = []
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, start: app[0](environ, start),
        server_class=_Server,
        handler_class=_Quiet,
    )
    url = f"http://127.0.0.1:{server.server_port}"
    os.environ["OIDC_TEST_PROVIDER_URL"] = url
    os.environ.setdefault(
        "OIDC_TEST_PROVIDER_DB", os.path.join(tempfile.mkdtemp(prefix="oidc-op-"), "op.sqlite3")
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider_site.settings"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    for user in setup["users"]:
        User.objects.create_user(**user)
    client = Client.objects.create(
        name="Autograd Course",
        client_type="confidential",
        client_id=setup["client"]["client_id"],
        client_secret=setup["client"]["client_secret"],
        jwt_alg="RS256",
        require_consent=False,
    )
    client.redirect_uris = setup["client"]["redirect_uris"]
    client.scope = ["openid", "email", "profile"]
    client.save()
    client.response_types.add(ResponseType.objects.get(value="code"))
    app.append(WSGIHandler())
    print(f"listening {url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

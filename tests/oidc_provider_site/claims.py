from typing import Any


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    """The standard claims of the provider's user (scopes `email` and `profile`)."""
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["preferred_username"] = user.username
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    return claims

"""How a platform lets its people sign in to the web knowledge base: an OpenID Connect provider.

The web pages (:mod:`kbbot.web`) are part of the core and name no platform.
Each adapter that has an identity provider describes it here, through the
optional ``sign_in()`` of its :class:`~kbbot.contract.platform.Platform`:
where the provider is (its issuer, whose discovery document and keys authlib
reads), the client registered there, and which two claims of a verified ID
token name the workspace and the person kbbot already knows from chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class IdentityProvider:
    """One OpenID Connect provider the web knowledge base offers, as an adapter configured it."""

    name: str
    """The kbbot platform whose people sign in here (the ``Workspace.platform`` their rows carry); also the URL part."""
    title: str
    """What the sign-in button names ("Slack", "Microsoft")."""
    issuer: str
    """The issuer: ``{issuer}/.well-known/openid-configuration`` is read, and ID tokens must name it as ``iss``.
    ``{tenant}`` in it stands for the token's own tenant claim (a multi-tenant Microsoft application)."""
    client_id: str
    client_secret: str
    workspace_claim: str
    """The claim holding the workspace's platform id (``Workspace.external_id``)."""
    person_claim: str
    """The claim holding the person's id, matched as ``person_key`` says."""
    person_key: Literal["external_id", "directory_id"] = "external_id"
    """``external_id``: the claim is the person's chat id; ``directory_id``: it is the organisation directory's id
    that chat events carried beside it (:attr:`kbbot.contract.events.Actor.directory_id`)."""
    scopes: tuple[str, ...] = ("openid", "profile")
    discovery_url: str | None = None
    """Where the discovery document is, when not under ``issuer`` (a multi-tenant issuer template)."""

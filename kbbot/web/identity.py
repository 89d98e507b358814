"""From a verified ID token to the person kbbot knows from chat.

The provider's description (:class:`kbbot.contract.sign_in.IdentityProvider`)
names the claim with the workspace's platform id and the claim with the
person's id; the person must be one kbbot has seen in chat there. Nobody is
created here: the web shows what a person may see in chat, so someone kbbot
has never met has nothing to see yet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbbot.contract.sign_in import IdentityProvider
from kbbot.store.models import Person, PersonDirectoryId, Workspace


def person_for(session: Session, provider: IdentityProvider, claims: dict[str, Any]) -> Person | None:
    """The active, human person the claims name in the provider's platform, or None."""
    workspace_id, person_id = claims.get(provider.workspace_claim), claims.get(provider.person_claim)
    if not isinstance(workspace_id, str) or not isinstance(person_id, str) or not workspace_id or not person_id:
        return None
    space = session.scalar(select(Workspace).where(Workspace.platform == provider.name,
                                                   Workspace.external_id == workspace_id))
    if space is None:
        return None
    query = select(Person).where(Person.workspace_id == space.id, Person.is_active, Person.is_bot.is_(False))
    if provider.person_key == "directory_id":
        query = query.join(PersonDirectoryId, PersonDirectoryId.person_id == Person.id).where(
            PersonDirectoryId.directory_id == person_id)
    else:
        query = query.where(Person.external_id == person_id)
    return session.scalars(query).first()


def signed_in(session: Session, person_id: int) -> Person | None:
    """The person a session names, while they are still an active person kbbot knows."""
    person = session.get(Person, person_id)
    if person is None or not person.is_active or person.is_bot:
        return None
    return person

"""Who was erased from a workspace, remembered without remembering who: so history cannot bring them back.

An erasure (:func:`kbbot.privacy.erasure.forget`) deletes the person row, and
with it the only record that the platform id belonged to someone who asked to
be forgotten. An old export still lists them (Slack's ``users.json``), their
messages and their reactions; ``kbbot import`` would create them again. So the
erasure leaves one row in ``erased_people``: a keyed hash of the platform id.

Why a keyed hash (HMAC-SHA256), and why a random key per workspace, kept in
its own row (``erasure_keys``) beside the digests rather than on the workspace:

- The id itself must not stay readable: erasure promises that the database
  names the person nowhere, and a list of erased ids would be exactly such a
  name to anyone who can read the database, a backup or a data export.
- A plain hash is not enough: platform ids are short and every member of a
  workspace can list them all, so hashing the member list would reverse it.
  With a secret random key, the digests reveal nothing without the key.
- One key per workspace, not one for the installation: the same Slack user id
  appears in several workspaces of an Enterprise Grid, and digests of one
  workspace must not be matched against another's. The key lives and dies
  with its workspace (deleted with it), so removing a workspace leaves no
  digest behind. It has a table of its own, not a column of ``workspaces``,
  so the workspace row, which nearly every part of kbbot reads, stays as it
  was (and code running on a schema before migration 0026 still reads it).
- What it cannot do: whoever holds the database *and* a candidate id can test
  whether that id was erased; the importer must do exactly that, so no
  design that lets it recognise an erased person could prevent it. The table
  holds no person id, no name and no text.

Only imports of history look here. Someone erased who later rejoins and uses
kbbot live is a new person as anyone is; an import still attributes what the
export holds under that id to the workspace's "former colleague".
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.store.models import ErasedPerson, ErasureKey, Workspace


def _key(session: Session, space: Workspace) -> bytes:
    """The workspace's key, made on first use; two erasures racing to make it agree on the first one written."""
    from kbbot.services.directory import get_or_create

    row = get_or_create(session, ErasureKey, {"workspace_id": space.id}, {"salt": secrets.token_hex(32)})
    return bytes.fromhex(row.salt)


def digest(key: bytes, external_id: str) -> str:
    return hmac.new(key, external_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def remember(session: Session, space: Workspace, external_id: str, now: datetime) -> None:
    """Record that ``external_id`` was erased from ``space`` (once: erasing someone again changes nothing here)."""
    value = digest(_key(session, space), external_id)
    if session.get(ErasedPerson, (space.id, value)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(ErasedPerson(workspace_id=space.id, digest=value, erased_at=now))
    except IntegrityError:
        pass  # erased at the same moment by another process


class ErasedIds:
    """The erased platform ids of one workspace, as a test: ``external_id in erased``.

    The digests are read once (they grow with erasures, not with an export);
    each id asked about is hashed once and its answer kept for the import.
    """

    def __init__(self, session: Session, space: Workspace) -> None:
        salt = session.scalar(select(ErasureKey.salt).where(ErasureKey.workspace_id == space.id))
        self._key = bytes.fromhex(salt) if salt else b""
        self._digests = set(session.scalars(select(ErasedPerson.digest).where(
            ErasedPerson.workspace_id == space.id))) if salt else set()
        self._seen: dict[str, bool] = {}

    def __bool__(self) -> bool:
        """Whether anyone was erased from the workspace at all (most imports: no one, and nothing to check)."""
        return bool(self._digests)

    def __contains__(self, external_id: object) -> bool:
        if not self._digests or not isinstance(external_id, str):
            return False
        found = self._seen.get(external_id)
        if found is None:
            found = self._seen[external_id] = digest(self._key, external_id) in self._digests
        return found

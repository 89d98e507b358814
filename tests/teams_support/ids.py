"""Placeholder identifiers shared by the Teams fixtures and the fake Microsoft server.

They mirror the *shape* of real Teams ids (``28:`` bot ids, ``29:`` user ids,
``a:`` personal conversations, ``19:...@thread.tacv2`` channels) so that code
parsing them is exercised realistically, yet they are obviously fake. The
same values are documented in ``tests/fixtures/teams/README.md``; keep both
in sync.
"""

from __future__ import annotations

from typing import Any

#: Microsoft App ID of the bot; the ``aud`` of channel tokens and ``client_id`` for AAD.
BOT_APP_ID = "b0b0b0b0-0000-4000-8000-000000000001"
#: Client secret the fake AAD accepts for BOT_APP_ID.
BOT_APP_PASSWORD = "fake-client-secret-not-real"
#: Teams addresses a bot as ``28:<app id>``.
BOT_ID = f"28:{BOT_APP_ID}"
BOT_NAME = "kbbot"

TENANT_ID = "7e7e7e7e-0000-4000-8000-000000000001"

#: The serviceUrl written in fixtures; tests replace it with the fake server's URL.
FIXTURE_SERVICE_URL = "https://smba.trafficmanager.net/emea/"

ALICE_ID = "29:1alice-fake-teams-user-id"
ALICE_AAD_ID = "a11ce000-0000-4000-8000-000000000001"
ALICE_NAME = "Alice Example"

BOB_ID = "29:1bob-fake-teams-user-id"
BOB_AAD_ID = "0b0b0000-0000-4000-8000-000000000002"
BOB_NAME = "Bob Example"

DAAN_ID = "29:1daan-fake-teams-user-id"
DAAN_AAD_ID = "da4a0000-0000-4000-8000-000000000003"
DAAN_NAME = "Daan de Vries"

ALICE_PERSONAL_CONVERSATION_ID = "a:1personal-chat-alice-fake-id"
DAAN_PERSONAL_CONVERSATION_ID = "a:1personal-chat-daan-fake-id"

#: In Teams the team id is the thread id of the team's General channel.
TEAM_ID = "19:team0000general0fake@thread.tacv2"
TEAM_AAD_GROUP_ID = "6e6e6e6e-0000-4000-8000-000000000001"
TEAM_NAME = "Engineering"
CHANNEL_ID = "19:chan0000knowledge0fake@thread.tacv2"
CHANNEL_NAME = "knowledge"

#: Activity id of the channel post that starts the reply chain (the @mention question).
ROOT_MESSAGE_ID = "1700000000001"
#: Conversation id of that reply chain, exactly as Teams sends it.
CHANNEL_THREAD_CONVERSATION_ID = f"{CHANNEL_ID};messageid={ROOT_MESSAGE_ID}"


def teams_account(user_id: str, aad_id: str, name: str, email: str) -> dict[str, Any]:
    """A TeamsChannelAccount as returned by ``GET /v3/conversations/{id}/members/{userId}``."""
    return {
        "id": user_id,
        "name": name,
        "aadObjectId": aad_id,
        "givenName": name.split(" ")[0],
        "surname": name.split(" ")[-1],
        "email": email,
        "userPrincipalName": email,
        "tenantId": TENANT_ID,
        "userRole": "user",
    }


DEFAULT_MEMBERS: tuple[dict[str, Any], ...] = (
    teams_account(ALICE_ID, ALICE_AAD_ID, ALICE_NAME, "alice@example.test"),
    teams_account(BOB_ID, BOB_AAD_ID, BOB_NAME, "bob@example.test"),
    teams_account(DAAN_ID, DAAN_AAD_ID, DAAN_NAME, "daan@example.test"),
)

#: Personal chats the fake connector hands out on ``POST /v3/conversations`` (stable per user, like Teams).
DEFAULT_PERSONAL_CONVERSATIONS: dict[str, str] = {
    ALICE_ID: ALICE_PERSONAL_CONVERSATION_ID,
    DAAN_ID: DAAN_PERSONAL_CONVERSATION_ID,
}

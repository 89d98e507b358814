"""Large private channels: Teams lists their members a page at a time, and kbbot reads every page.

The fake Bot Connector answers ``GET /v3/conversations/{id}/pagedmembers`` as
Teams documents it (at most 500 members a page, a ``continuationToken`` until
the last page), so a channel of 1,102 people takes three pages.
"""

from __future__ import annotations

from datetime import timedelta

from kbbot_adapters.teams.roster import RESYNC_EVERY
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, PRIVATE_CHANNEL_ID, channel_post, personal
from teams_support.harness import TeamsHarness, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

QUESTION = "Where is the payroll outage runbook?"


def _crowd(size: int) -> list[dict]:
    return [ids.teams_account(f"29:1colleague-{n:04d}", f"c0{n:06d}-0000-4000-8000-000000000000",
                              f"Colleague {n}", f"colleague{n}@example.test") for n in range(size)]


def _large_private_channel(teams: TeamsHarness) -> None:
    """Alice first, 1,100 colleagues, Daan last: Daan is on the third page."""
    people = {m["id"]: m for m in ids.DEFAULT_MEMBERS}
    teams.fake.set_roster(PRIVATE_CHANNEL_ID, [people[ids.ALICE_ID], *_crowd(1100), people[ids.DAAN_ID]])


def _pages_asked(teams: TeamsHarness, mark: int = 0) -> list:
    return [call for call in teams.fake.connector_calls[mark:] if call.path.endswith("/pagedmembers")]


def _sees(teams: TeamsHarness, who, words: str) -> str:
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, who, f"search {words}"))
    return "\n".join(text for sent in teams.seen_since(mark) for text in card_texts(sent))


def test_a_member_on_the_last_page_sees_the_private_channels_question_and_an_outsider_does_not(
        teams: TeamsHarness) -> None:
    _large_private_channel(teams)
    teams.post(channel_post(teams.fake, ALICE, f"ask {QUESTION} #payroll", fixture="private_channel_mention"))

    pages = _pages_asked(teams)
    assert [call.status for call in pages] == [200, 200, 200]
    assert pages[0].query == {"pageSize": "500"}
    assert pages[1].query["continuationToken"] != pages[2].query["continuationToken"]

    assert QUESTION in _sees(teams, DAAN, "payroll runbook")  # member, on the last page
    bob_sees = _sees(teams, BOB, "payroll runbook")  # not in the channel at all
    assert "payroll outage runbook" not in bob_sees and "Nothing found" in bob_sees


def test_a_page_that_fails_leaves_the_members_as_they_were(teams: TeamsHarness) -> None:
    """Half a list would take sight away from everyone on the missing pages: better no sync at all."""
    _large_private_channel(teams)
    teams.post(channel_post(teams.fake, ALICE, f"ask {QUESTION} #payroll", fixture="private_channel_mention"))

    teams.roster._synced[PRIVATE_CHANNEL_ID] -= RESYNC_EVERY + timedelta(seconds=1)  # an hour later, Teams refuses page 2
    mark = len(teams.fake.connector_calls)
    teams.fake.fail_next(status=403, method="GET", after=1)
    teams.post(channel_post(teams.fake, ALICE, "ask Who signs off payroll changes?", fixture="private_channel_mention"))
    assert [call.status for call in _pages_asked(teams, mark)] == [200, 403]

    assert QUESTION in _sees(teams, DAAN, "payroll runbook")

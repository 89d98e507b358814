"""The scheduler's weekly prompt through Teams: a DM from a stored reference, answered in the personal chat.

The scheduler's own delivery round sends through the Outbound that
``plugin.attach`` returned (from its worker thread, as in ``kbbot serve``);
Daan, a Dutch user, answers in his personal chat, where Teams has no
threads, and shares the post with a channel he is in using the card's button;
the channel, having asked for its digest, gets it as a new post.
"""

from __future__ import annotations

import pytest

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kbbot.scheduler.delivery import Deliverer
from kbbot.scheduler.pacing import Pacer
from kbbot.weekly.schedules import CHANNEL_DIGEST, PROMPT
from teams_support import ids
from teams_support.activities import ALICE, DAAN, channel_post, personal, submit
from teams_support.harness import TeamsHarness, card_actions, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _due(teams: TeamsHarness, kind: str, days_ahead: int = 0) -> Deliverer:
    """A delivery round run ``days_ahead`` days from now, when ``kind`` fell due at that day's midnight.

    Prompts are run today (Daan answers today); a digest covers the week *before* it is due, so its
    round runs tomorrow to include what was shared today.
    """
    zone = ZoneInfo(DAAN.timezone)
    then = datetime.now(zone) + timedelta(days=days_ahead)
    day = then.strftime("%a").casefold()[:3]
    settings = teams.settings.model_copy(update={"prompt_day": day, "prompt_time": "00:00", "digest_day": day,
                                                 "digest_time": "00:00", "misfire_grace_seconds": 26 * 3600})
    return Deliverer(settings, teams.sessions, {"teams": teams.outbound}, kinds=frozenset({kind}),
                     clock=lambda: datetime.now(UTC) + timedelta(days=days_ahead),
                     pacer=Pacer(sleep=lambda _seconds: None))


def test_the_weekly_prompt_reaches_a_dutch_user_whose_shared_answer_is_in_the_channel_digest(
        teams: TeamsHarness) -> None:
    if datetime.now(ZoneInfo(DAAN.timezone)).weekday() >= 5:
        # This test runs the real clock through the Teams fake; the fake-time scheduler tests cover weekends.
        pytest.skip("prompts go out on workdays only, and today is a weekend day where Daan lives")
    teams.post(channel_post(teams.fake, DAAN, "zoek vpn"))  # Daan is in #knowledge and has a personal chat
    mark = len(teams.fake.sent)

    report = _due(teams, PROMPT).run()
    assert report.statuses.get("sent") == 1, str(report)
    (prompt,) = teams.seen_since(mark)
    assert prompt.kind == "send" and prompt.conversation_id == ids.DAAN_PERSONAL_CONVERSATION_ID
    assert "🗣️ Hardop werken" in card_texts(prompt)

    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "Ik heb geleerd hoe je #vpn certificaten roteert."))
    (choice,) = teams.seen_since(mark)
    assert choice.conversation_id == ids.DAAN_PERSONAL_CONVERSATION_ID
    assert any(text.startswith("Genoteerd (#vpn)") for text in card_texts(choice))
    share = next(a for a in card_actions(choice) if a["title"] == "Delen met #knowledge")

    mark = len(teams.fake.sent)
    teams.post(submit(teams.fake, DAAN, share["data"], choice.assigned_id))
    shared = teams.seen_since(mark)
    assert any("Gedeeld met #knowledge" in text for s in shared for text in card_texts(s))

    # The channel asks for its digest, and the next round posts it there with Daan's shared post.
    mark = len(teams.fake.sent)
    ask = channel_post(teams.fake, ALICE, "digest on")
    teams.post(ask)
    (confirmation,) = teams.seen_since(mark)
    assert confirmation.kind == "reply" and confirmation.target_activity_id == ask["id"]
    assert any("This channel will get a weekly digest" in text for text in card_texts(confirmation))

    mark = len(teams.fake.sent)
    report = _due(teams, CHANNEL_DIGEST, days_ahead=1).run()
    assert report.statuses.get("sent") == 1, str(report)
    (digest,) = teams.seen_since(mark)
    assert digest.kind == "create_conversation"
    assert digest.activity["channelData"] == {"channel": {"id": ids.CHANNEL_ID}}
    assert any("Ik heb geleerd hoe je #vpn certificaten roteert." in text for text in card_texts(digest))

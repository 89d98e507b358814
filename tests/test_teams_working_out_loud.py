"""The scheduler's weekly prompt through Teams: a DM from a stored reference, answered in the personal chat.

The scheduler's own delivery round sends through the Outbound that
``plugin.attach`` returned (from its worker thread, as in ``kbbot serve``);
Daan, a Dutch user, answers in his personal chat, where Teams has no
threads, and shares the post with a channel he is in using the card's button.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kbbot.scheduler.delivery import Deliverer
from kbbot.scheduler.pacing import Pacer
from kbbot.scheduler.schedules import PROMPT
from teams_support import ids
from teams_support.activities import DAAN, channel_post, personal, submit
from teams_support.harness import TeamsHarness, card_actions, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _prompt_now(teams: TeamsHarness) -> Deliverer:
    """A delivery round for which this week's prompt is due right now in Daan's timezone."""
    today = datetime.now(ZoneInfo(DAAN.timezone)).strftime("%a").casefold()[:3]
    settings = teams.settings.model_copy(update={"prompt_day": today, "prompt_time": "00:00",
                                                 "misfire_grace_seconds": 26 * 3600})
    return Deliverer(settings, teams.sessions, {"teams": teams.outbound}, kinds=frozenset({PROMPT}),
                     pacer=Pacer(sleep=lambda _seconds: None))


def test_the_weekly_prompt_reaches_a_dutch_user_who_shares_his_answer(teams: TeamsHarness) -> None:
    teams.post(channel_post(teams.fake, DAAN, "zoek vpn"))  # Daan is in #knowledge and has a personal chat
    mark = len(teams.fake.sent)

    report = _prompt_now(teams).run()
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

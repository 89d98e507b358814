"""``whoami`` on Teams: the registry's example command, typed as a word, answered in the person's own chat."""

from __future__ import annotations

from teams_support.activities import DAAN, personal
from teams_support.harness import TeamsHarness, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def test_whoami_in_dutch_in_the_personal_chat_with_words_instead_of_slash_commands(teams: TeamsHarness) -> None:
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "wiebenik"))
    sent = teams.seen_since(mark)
    assert [item.conversation_id for item in sent] == [DAAN.personal_chat]
    texts = "\n".join(card_texts(sent[0]))
    assert "Wat kbbot over je weet" in texts and f"je id op dit platform: {DAAN.id}" in texts
    assert "Tijdzone: Europe/Brussels" in texts
    assert "Wijzig je instellingen met settings" in texts and "/kb" not in texts  # Teams people type words

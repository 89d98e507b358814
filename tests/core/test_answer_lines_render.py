"""A list entry's further lines (the answers under a search hit) on every surface, inert like all user text."""

from __future__ import annotations

import json

from kbbot.contract.replies import Ephemeral, Item, ListBlock, Reply
from kbbot.text.plaintext import lines
from kbbot_adapters.slack.render import render
from kbbot_adapters.teams.render import card

REPLY = Reply(text="1 result", to=Ephemeral(conversation_id="C1", person_id="U1"), blocks=[ListBlock(items=[
    Item(text="[Q1] How do I rotate it?", detail="#general · asked by Alice",
         lines=["answer 1 by Bob: <!channel> use the vault CLI · ✅", "answer 2 by Carol: ask the DBA team · 👍 1"])])])


def test_answer_lines_show_in_the_console_slack_and_teams() -> None:
    shown = "\n".join(lines(REPLY))
    assert "answer 1 by Bob: @\u2060channel use the vault CLI · ✅" in shown and "answer 2 by Carol" in shown
    assert shown.index("asked by Alice") < shown.index("answer 1 by Bob") < shown.index("answer 2 by Carol")

    slack = json.dumps(render(REPLY), ensure_ascii=False)
    assert "answer 1 by Bob: @\u2060channel use the vault CLI" in slack and "answer 2 by Carol" in slack
    assert "<!channel>" not in slack

    teams = json.dumps(card(REPLY), ensure_ascii=False)
    assert "answer 1 by Bob: @\u2060channel use the vault CLI" in teams and "answer 2 by Carol" in teams
    assert "<!channel>" not in teams

"""Block Kit rendering: what a Slack user reads, within Slack's limits, with nobody pinged by accident."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from kbbot.contract.replies import Actions, Button, HomeView, Item, ListBlock, Mentions, PersonRef, Post, Reply, Text
from kbbot_adapters.slack import render as blocks

CHANNEL = Post(conversation_id="C_GENERAL")


def test_a_long_question_is_split_into_sections_slack_accepts_without_losing_text() -> None:
    question = "\n".join(f"line {n}: " + "x" * 90 for n in range(40))  # about 4,000 characters
    rendered = blocks.render(Reply(text="q", blocks=[Text(text=question, style="quote")], to=CHANNEL))
    assert all(len(b["text"]["text"]) <= blocks.SECTION_LIMIT for b in rendered)
    assert len(rendered) == 2
    joined = "\n".join(b["text"]["text"] for b in rendered)
    assert joined.count("&gt; line ") == 40


def test_only_the_people_a_reply_means_to_mention_are_mentioned() -> None:
    reply = Reply(text="Colleagues who know <!here>", blocks=[
        Mentions(lead="Who knows #vpn? <!here>", people=[PersonRef(id="U_BOB", name="Bob")]),
        Text(text="<@U_CAROL> said <!everyone> should read <https://evil.example|this>"),
    ], to=CHANNEL)
    rendered = blocks.render(reply)
    text = " ".join(b["text"]["text"] for b in rendered)
    assert "<@U_BOB>" in text
    assert "<@U_CAROL>" not in text and "<!" not in text and "<https://evil" not in text
    assert "@\u2060here" in text and "@\u2060everyone" in text
    assert "<!here>" not in blocks.fallback(reply)


def test_items_link_to_their_message_and_carry_their_buttons() -> None:
    reply = Reply(text="hits", blocks=[ListBlock(items=[
        Item(text="[Q1] How do I rotate keys?", detail="#general · asked by Alice",
             link="https://x.slack.com/archives/C/p1",
             buttons=[Button(label="This answers it", action_id="kb_this_answers_it", value="3:1", style="primary")]),
        Item(text="Answer 4", buttons=[Button(label="Accept", action_id="kb_accept", value="4"),
                                       Button(label="Upvote", action_id="kb_upvote", value="4")]),
    ])], to=CHANNEL)
    first, second, actions = blocks.render(reply)
    assert first["text"]["text"].startswith("<https://x.slack.com/archives/C/p1|[Q1] How do I rotate keys?>")
    assert first["accessory"] == {"type": "button", "text": {"type": "plain_text", "text": "This answers it",
                                                             "emoji": True},
                                  "action_id": "kb_this_answers_it", "value": "3:1", "style": "primary",}
    assert second["text"]["text"] == "Answer 4"
    assert [e["action_id"] for e in actions["elements"]] == ["kb_accept", "kb_upvote"]


def test_a_home_view_keeps_to_a_hundred_blocks_and_every_block_id_is_unique() -> None:
    reply = Reply(text="home", blocks=[Text(text=f"line {n}") for n in range(150)], to=HomeView(person_id="U_BOB"))
    view = blocks.home_view(reply)
    assert view["type"] == "home" and len(view["blocks"]) == blocks.HOME_BLOCK_LIMIT
    assert len({b["block_id"] for b in view["blocks"]}) == blocks.HOME_BLOCK_LIMIT


def _mrkdwn(rendered: list[dict]) -> list[str]:
    texts = [b["text"]["text"] for b in rendered if b.get("text", {}).get("type") == "mrkdwn"]
    texts += [e["text"] for b in rendered for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
    return texts


def _plain(rendered: list[dict]) -> list[str]:
    buttons = [e for b in rendered for e in b.get("elements", []) if e.get("type") == "button"]
    return [b["text"]["text"] for b in buttons]


SLACK_SYNTAX = st.text(alphabet=st.sampled_from(list("<>!@&|^#:/ abcdehlnrtUS0123")) | st.characters(), max_size=200)


@given(SLACK_SYNTAX)
def test_no_user_text_ever_renders_a_broadcast_a_mention_or_a_link(text: str) -> None:
    reply = Reply(text=text, blocks=[Text(text=text), Text(text=text, style="heading"),
                                     Text(text=text, style="context"), ListBlock(items=[Item(text=text, detail=text)]),
                                     Actions(buttons=[Button(label=text or "x", action_id="kb_accept")])],
                  to=CHANNEL)
    rendered = blocks.render(reply)
    assert all("<" not in part and ">" not in part for part in _mrkdwn(rendered)), _mrkdwn(rendered)
    assert "<" not in blocks.fallback(reply)
    assert not any(re.search(r"<[!@][^>]*>", label) for label in _plain(rendered))

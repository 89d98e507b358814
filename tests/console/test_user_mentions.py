"""People mentioned in a question or an answer are shown by name, never by their platform id.

The platform's user-mention markup (``<@U123>`` on Slack) is resolved to the
person's name from the people table when kbbot builds its replies; someone
kbbot does not know becomes a neutral "@someone" in the reader's language.
Nothing is re-broadcast: a name is plain text, not a mention.
"""

from __future__ import annotations

from console_chat import Chat


def test_a_mentioned_colleague_is_shown_by_name_and_a_stranger_neutrally(chat: Chat) -> None:
    chat(":as bob", "hi")
    shown = chat(":as alice", "/ask Can <@bob> or <@U999ZZ> fix the printer on floor 3?")
    assert "Can @Bob or @someone fix the printer" in shown
    assert "U999ZZ" not in shown and "<@" not in shown and "@\u2060bob" not in shown

    found = chat(":as carol", "/kb search printer floor")
    assert "Can @Bob or @someone fix the printer" in found and "U999ZZ" not in found


def test_mentions_in_an_answer_reach_the_asker_by_name(chat: Chat) -> None:
    chat(":as carol", "hi", ":as alice", "/ask Who has the key to the server room?")
    shown = chat(":as bob", ":reply 2 Ask <@carol|carol> or <@W0NOBODY>, they were there last week")
    assert "Ask @Carol or @someone, they were there last week" in shown
    assert "W0NOBODY" not in shown


def test_a_stranger_is_someone_in_dutch_too(chat: Chat) -> None:
    shown = chat(":as joost nl", ":in #team", "/ask Weet <@U999ZZ> hoe de printer werkt?")
    assert "Weet @iemand hoe de printer werkt?" in shown and "U999ZZ" not in shown


def test_the_text_functions_find_and_name_user_mentions() -> None:
    from kbbot.text.mentions import name_people, user_mentions

    text = "ping <@U123> and <@U456|bob> but not <!channel> or <@U789>"
    assert user_mentions(text) == {"U123", "U456", "U789"}
    named = name_people(text, {"U123": "Ann <!here>", "U456": "Bob"}, "@someone")
    assert named.startswith("ping @Ann")
    assert "@Bob" in named and named.endswith("@someone") and "U123" not in named and "U789" not in named
    assert "<!channel>" in named  # broadcast markup is the renderers' to neutralise, as before

"""Property tests: the parser and the tag normaliser hold for any text a person can type."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbbot import commands
from kbbot.config import MAX_TEXT_LENGTH
from kbbot.i18n import LOCALES, MESSAGES, t
from kbbot.text.tags import MAX_TAG_LENGTH, normalise

COMMANDS = ["ask", "kb", "experts", "expertise", "vraag", "/ask", "KB", "nonsense", ""]
# Text with the characters that break naive parsers: flags, tags, quotes, mentions, RTL marks, emoji.
pieces = list("ab #-—@<>!^|\"'`*()[]{}:;,.?\n\t ") + ["--anon ", "#k8s ", "é", "ß", "İ", "\u200f", "😀", "²", "٣",
                                                     "<!channel>", "settings ", "flag ", "language ", "nl", "99999999999"]
tricky = st.lists(st.sampled_from(pieces), max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=200), tricky)


@given(command=st.sampled_from(COMMANDS), text=any_text)
@settings(max_examples=400)
def test_parse_never_raises_and_answers_with_a_command_or_a_known_usage_line(command: str, text: str) -> None:
    result = commands.parse(command, text)
    if isinstance(result, commands.UsageError):
        for locale in LOCALES:
            template = MESSAGES[result.key][locale]
            assert set(re.findall(r"{(\w+)}", template)) <= set(result.params)  # every placeholder filled
            assert t(locale, result.key, **result.params)
        return
    if isinstance(result, commands.Ask):
        assert result.text.strip() and len(result.text) <= MAX_TEXT_LENGTH
        assert len(result.tags) <= commands.MAX_TAGS
        assert all(tag == normalise(tag) for tag in result.tags)
    if isinstance(result, commands.FlagAnswer):
        assert 0 <= result.answer_id < 10**9


@given(text=any_text)
@settings(max_examples=300)
def test_plain_messages_parse_without_raising(text: str) -> None:
    result = commands.parse_message(text)
    assert isinstance(result, commands.UsageError) or type(result) in commands.Command.__args__


@given(text=st.text(min_size=MAX_TEXT_LENGTH + 1, max_size=MAX_TEXT_LENGTH + 50))
@settings(max_examples=20)
def test_over_long_text_is_refused_whatever_the_command(text: str) -> None:
    for command in ("ask", "kb", "expertise"):
        result = commands.parse(command, text)
        assert isinstance(result, commands.UsageError) and result.key == "error.too_long"


@given(words=st.lists(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8), min_size=1, max_size=5),
       tags=st.lists(st.text(alphabet=string.ascii_lowercase + "0123456789", min_size=1, max_size=10), max_size=4))
def test_trailing_tags_are_taken_off_a_finished_question(words: list[str], tags: list[str]) -> None:
    text = " ".join(words) + "?" + "".join(f" #{tag}" for tag in tags)
    result = commands.parse("ask", text)
    assert isinstance(result, commands.Ask)
    assert result.text == " ".join(words) + "?"
    assert list(result.tags) == list(dict.fromkeys(tag for tag in tags if not tag.isdigit()))


@pytest.mark.parametrize(("typed", "text", "tags"), [
    ("How do I restart #kubernetes?", "How do I restart #kubernetes?", ("kubernetes",)),
    ("How do I restart #kubernetes", "How do I restart #kubernetes", ("kubernetes",)),
    ("How do I drain a node? #k8s #ops", "How do I drain a node?", ("k8s", "ops")),
    ("Why did PR #1234 break the build?", "Why did PR #1234 break the build?", ()),
    ("-5 degrees in the server room, normal?", "-5 degrees in the server room, normal?", ()),
    ("--anon Is the VPN logged?", "Is the VPN logged?", ()),
])
def test_question_text_and_tags(typed: str, text: str, tags: tuple[str, ...]) -> None:
    result = commands.parse("ask", typed)
    assert isinstance(result, commands.Ask)
    assert (result.text, result.tags) == (text, tags)


def test_any_whitespace_separates_a_verb() -> None:
    assert commands.parse("kb", "search\tvpn") == commands.Search(query="vpn")
    assert commands.parse_message("zoek\nvpn wachtwoord") == commands.Search(query="vpn wachtwoord")


@given(st.text(max_size=120))
@settings(max_examples=500)
def test_normalise_is_a_fixed_point(raw: str) -> None:
    tag = normalise(raw)
    if tag is None:
        return
    assert normalise(tag) == tag
    assert 0 < len(tag) <= MAX_TAG_LENGTH
    assert not re.search(r"\s", tag)
    assert not tag.startswith(("#", "-")) and not tag.endswith(("-", "."))


@given(st.text(alphabet=string.ascii_letters + string.digits + " _", min_size=1, max_size=30))
def test_case_spacing_and_hash_do_not_make_a_new_tag(raw: str) -> None:
    assert normalise(f"#{raw.upper()}") == normalise(raw) == normalise(f"  {raw.lower()}  ")


def test_programming_names_survive() -> None:
    assert [normalise(x) for x in ("C++", "#C#", ".NET", "node.js", "Machine Learning", "ci/cd")] == [
        "c++", "c#", ".net", "node.js", "machine-learning", "ci-cd"]
    assert normalise("###") is None and normalise("  ") is None


def test_usage_keys_used_by_the_parser_exist_in_both_languages() -> None:
    source = open(commands.__file__, encoding="utf-8").read()
    for key in set(re.findall(r'UsageError\("([a-z_.]+)"', source)):
        assert set(MESSAGES[key]) >= set(LOCALES), key


@given(st.lists(st.sampled_from(["<!", "<@", "U1", ">", "|", "here", "channel", "<at>", "</at>", "@", "x", " ",
                                 "subteam^S1", "everyone"]), max_size=25).map("".join))
@settings(max_examples=400)
def test_neutralised_text_broadcasts_nothing(text: str) -> None:
    from kbbot.text.mentions import neutralise

    once = neutralise(text)
    assert neutralise(once) == once
    assert not re.search(r"<![^>]*>|<@[A-Z0-9]+(\|[^>]*)?>", once)  # Slack ids are upper case
    assert not re.search(r"<at\b[^>]*>.*?</at>", once, re.IGNORECASE | re.DOTALL)
    assert not re.search(r"@(channel|here|everyone)\b", once, re.IGNORECASE)

"""Working out loud: the weekly prompt, the replies it collects, and the digests' buttons.

:mod:`kbbot.pipeline.dispatch` offers every message and every button to
:func:`reply_to_prompt` and :func:`on_button` first; ``None`` means "not
mine", so the usual routing goes on.

A reply to the prompt (in its thread, or a plain message in the DM while this
week's prompt is still unanswered) becomes a :class:`SharedPost` that starts
out "just for me"; buttons then share it with one of the person's channels or
keep it private. Nothing is shown to anyone else before the author chooses.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.presentation import cards
from kbbot import commands
from kbbot.config import MAX_TEXT_LENGTH
from kbbot.contract.events import ButtonClicked, MessagePosted
from kbbot.i18n import t
from kbbot.i18n.scheduling import PROMPT_QUESTIONS
from kbbot.contract.replies import Actions, Block, Button, DirectMessage, ListBlock, Post, Reply, Text
from kbbot.weekly.schedules import CHANNEL_DIGEST, PROMPT, choose, moment
from kbbot.weekly.timing import WORKDAYS, Weekly, week_index
from kbbot.services import activity, asking, language, tagging
from kbbot.store.visibility import can_see, can_see_conversation, visible_conversations
from kbbot.store.models import (
    Activity,
    Conversation,
    ConversationKind,
    Membership,
    Person,
    Question,
    SharedPost,
    SharedPostTag,
)
from kbbot.store.scheduling import ChannelDigest, Delivery, DeliveryStatus, PersonSchedule
from kbbot.services.turn import Turn

# Button action ids; Slack routes every ``^kb_`` action to kbbot.
PREFIX = "kb_wol_"
PROMPTS_OFF = "kb_wol_prompts_off"
PROMPTS_ON = "kb_wol_prompts_on"
SHARE = "kb_wol_share"
KEEP_PRIVATE = "kb_wol_keep_private"
ASK_INSTEAD = "kb_wol_ask_instead"
OPEN = "kb_wol_open"
THANKS = "kb_wol_thanks"
DIGEST_OFF = "kb_wol_digest_off"
OTHER_DAY = "kb_wol_other_day"
PROMPT_DAY = "kb_wol_prompt_day"
ALL = frozenset({PROMPTS_OFF, PROMPTS_ON, SHARE, KEEP_PRIVATE, ASK_INSTEAD, OPEN, THANKS, DIGEST_OFF, OTHER_DAY,
                 PROMPT_DAY})

# Workspace setting: the team channel offered first when sharing a post.
WOL_CHANNEL_SETTING = "wol_channel"
SHARE_CHOICES = 3
OPEN_FOR = timedelta(days=4)
"""How long after a prompt a plain DM message still counts as its answer."""
MAX_POST_TAGS = 10
_TAG = re.compile(r"(?<![\w#])#([^\s#]+)")
_CHANNEL_DIGEST = re.compile(r"^\s*(digest|samenvatting)\s+(on|off|aan|uit)\s*$", re.IGNORECASE)


# -- the prompt itself --------------------------------------------------------------------------

def variant_for(person_id: int, period: str) -> int:
    """Which question a person is asked in ``period``: rotates weekly, differs between colleagues."""
    return (week_index(period) + person_id) % len(PROMPT_QUESTIONS)


def prompt_reply(person: Person, variant: int) -> Reply:
    """The weekly DM: one rotating question, how to answer, and a one-click way out."""
    locale = person.locale
    question = t(locale, PROMPT_QUESTIONS[variant % len(PROMPT_QUESTIONS)])
    return Reply(text=question, to=DirectMessage(person_id=person.external_id), locale=locale, blocks=[
        Text(text=t(locale, "wol.prompt.heading"), style="heading"),
        Text(text=question),
        Text(text=t(locale, "wol.prompt.hint"), style="context"),
        Actions(buttons=[Button(label=t(locale, "wol.button.prompts_off"), action_id=PROMPTS_OFF),
                         Button(label=t(locale, "wol.button.other_day"), action_id=OTHER_DAY)]),
    ])


def answered(session: Session, person: Person, period: str) -> bool:
    """Whether ``person`` already posted for ``period``: then they are not prompted that week."""
    return session.scalar(select(exists().where(SharedPost.author_id == person.id,
                                                SharedPost.period == period))) or False


# -- replies ------------------------------------------------------------------------------------

def reply_to_prompt(turn: Turn, event: MessagePosted) -> list[Reply] | None:
    """Capture a reply to a weekly prompt as a post; ``None`` when the message is not one.

    Also takes "@kbbot digest on|off" in a channel, which is how a channel asks for its digest.
    """
    kind = turn.conversation.kind
    if kind is ConversationKind.DM:
        return _capture(turn, event)
    if event.mentions_bot and (match := _CHANNEL_DIGEST.match(event.text)):
        return channel_digest(turn, match.group(2).casefold() in ("on", "aan"), event.thread_id)
    return None


def _capture(turn: Turn, event: MessagePosted) -> list[Reply] | None:
    prompt = _prompt_answered_by(turn, event)
    if prompt is None:
        return None
    if len(event.text) > MAX_TEXT_LENGTH:
        return [turn.notice("error.too_long", limit=MAX_TEXT_LENGTH, length=len(event.text))]
    source = f"msg:{turn.conversation.external_id}:{event.message_id}"
    if turn.session.scalar(select(SharedPost.id).where(SharedPost.workspace_id == turn.workspace.id,
                                                       SharedPost.source_key == source)) is not None:
        return []
    names = [m.group(1).rstrip("?!.,;:)") for m in _TAG.finditer(event.text)][:MAX_POST_TAGS * 2]
    tags = tagging.ensure(turn.session, names)[:MAX_POST_TAGS]
    try:
        with turn.session.begin_nested():  # the same message arriving twice at once: one post
            post = SharedPost(workspace_id=turn.workspace.id, author_id=turn.person.id, conversation_id=None,
                              source_key=source, period=prompt.period, text=event.text, created_at=turn.now)
            post.tags = tags
            turn.session.add(post)
    except IntegrityError:
        return []
    return [_choice(turn, post, event.thread_id, offer_ask=not event.thread_id)]


def _prompt_answered_by(turn: Turn, event: MessagePosted) -> Delivery | None:
    """The prompt this DM message answers: the one it replies to, or this week's open one."""
    if not event.text.strip():
        return None
    mine = (Delivery.person_id == turn.person.id, Delivery.kind == "prompt")
    if event.thread_id and event.thread_id != event.message_id:
        return turn.session.scalars(select(Delivery).where(*mine, Delivery.message_id == event.thread_id)).first()
    parsed = commands.parse_message(event.text)
    if not (isinstance(parsed, commands.UsageError) and parsed.key == "error.unknown_command"):
        return None  # "help", "zoek …", "ask …": a command, not an answer
    prompt = turn.session.scalars(
        select(Delivery).where(*mine, Delivery.status == DeliveryStatus.SENT,
                               Delivery.sent_at >= turn.now - OPEN_FOR)
        .order_by(Delivery.sent_at.desc())).first()
    if prompt is None or answered(turn.session, turn.person, prompt.period):
        return None
    return prompt


def _share_targets(turn: Turn) -> list[Conversation]:
    """Team channels the person is in, the workspace's working-out-loud channel first."""
    person = turn.person
    found = list(turn.session.scalars(
        select(Conversation).join(Membership, Membership.conversation_id == Conversation.id)
        .where(Membership.person_id == person.id, Conversation.workspace_id == person.workspace_id,
               Conversation.kind.in_((ConversationKind.CHANNEL, ConversationKind.PRIVATE)))
        .order_by(Membership.since.desc(), Conversation.id)))
    preferred = (turn.workspace.settings or {}).get(WOL_CHANNEL_SETTING)
    found.sort(key=lambda c: c.external_id != preferred)
    return found[:SHARE_CHOICES]


def _choice(turn: Turn, post: SharedPost, thread_id: str | None, offer_ask: bool) -> Reply:
    tags = f" ({' '.join('#' + tag.name for tag in post.tags)})" if post.tags else ""
    targets = _share_targets(turn)
    say = turn.say
    text = say("wol.saved" if targets else "wol.saved_no_channel", tags=tags)
    buttons = [Button(label=say("wol.button.share", channel=c.name or c.external_id), action_id=SHARE,
                      value=f"{post.id}:{c.id}", style="primary") for c in targets]
    if targets:
        buttons.append(Button(label=say("wol.button.keep_private"), action_id=KEEP_PRIVATE, value=str(post.id)))
    if offer_ask:
        buttons.append(Button(label=say("wol.button.ask_instead"), action_id=ASK_INSTEAD, value=str(post.id)))
    blocks: list[Block] = [Text(text=text)]
    if buttons:
        blocks.append(Actions(buttons=buttons))
    return Reply(text=text, blocks=blocks, to=Post(conversation_id=turn.conversation.external_id, thread_id=thread_id),
                 locale=turn.locale)


# -- buttons ------------------------------------------------------------------------------------

def on_button(turn: Turn, event: ButtonClicked) -> list[Reply] | None:
    """Handle the prompt's and digests' own buttons (share, just for me, prompts off, open…)."""
    if not event.action_id.startswith(PREFIX):
        return None
    value = event.value
    match event.action_id:
        case "kb_wol_prompts_off":
            turn.person.prompts_enabled = False
            return [turn.private(turn.say("wol.prompts_off"), [
                Text(text=turn.say("wol.prompts_off")),
                Actions(buttons=[Button(label=turn.say("wol.button.prompts_on"), action_id=PROMPTS_ON)])])]
        case "kb_wol_prompts_on":
            turn.person.prompts_enabled = True
            return [turn.notice("wol.prompts_on", replace=True)]
        case "kb_wol_share":
            post_id, _, conversation_id = value.partition(":")
            return _share(turn, _number(post_id), _number(conversation_id))
        case "kb_wol_keep_private":
            return _keep_private(turn, _number(value))
        case "kb_wol_ask_instead":
            return _ask_instead(turn, _number(value))
        case "kb_wol_open":
            delivery_id, _, question_id = value.partition(":")
            return _open(turn, _number(delivery_id), _number(question_id))
        case "kb_wol_thanks":
            read_digest(turn.session, turn.person, _number(value), turn.now)
            return [turn.notice("digest.thanks")]
        case "kb_wol_digest_off":
            turn.person.digest_enabled = False
            return [turn.notice("digest.digest_off")]
        case "kb_wol_other_day":
            return _pick_day(turn)
        case "kb_wol_prompt_day":
            return _choose_day(turn, value)
    return [turn.notice("error.unknown_action")]


def _prompt_moment(turn: Turn) -> Weekly:
    return moment(turn.settings, PROMPT, turn.person.timezone, turn.workspace.settings,
                  turn.session.get(PersonSchedule, turn.person.id))


def _pick_day(turn: Turn) -> list[Reply]:
    """The person's own prompt day: one button per workday."""
    text = turn.say("wol.pick_day", time=_prompt_moment(turn).at)
    return [turn.private(text, [Text(text=text), Actions(buttons=[
        Button(label=turn.say(f"wol.day.{day}"), action_id=PROMPT_DAY, value=day) for day in WORKDAYS])])]


def _choose_day(turn: Turn, day: str) -> list[Reply]:
    try:
        choose(turn.session, turn.person, PROMPT, day, None, turn.now)
    except ValueError:
        return _pick_day(turn)
    turn.person.prompts_enabled = True
    weekly = _prompt_moment(turn)
    return [turn.notice("wol.day_chosen", replace=True, day=turn.say(f"wol.day.{weekly.day}"), time=weekly.at,
                        timezone=weekly.timezone)]


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _own_post(turn: Turn, post_id: int | None) -> SharedPost | None:
    post = turn.session.get(SharedPost, post_id) if post_id is not None else None
    return post if post is not None and post.author_id == turn.person.id else None


def _share(turn: Turn, post_id: int | None, conversation_id: int | None) -> list[Reply]:
    post = _own_post(turn, post_id)
    if post is None:
        return [turn.notice("wol.not_yours")]
    target = turn.session.get(Conversation, conversation_id) if conversation_id is not None else None
    if (target is None or target.kind not in (ConversationKind.CHANNEL, ConversationKind.PRIVATE)
            or not can_see_conversation(turn.session, turn.person, target)):
        return [turn.notice("wol.cannot_share_there")]
    first_time = post.conversation_id is None
    post.conversation_id = target.id
    if first_time and not _logged(turn.session, turn.person, "shared_post", post.id):
        activity.log(turn.session, turn.person, "shared_post", turn.now, post.id)
    return [turn.notice("wol.shared", replace=True, channel=target.name or target.external_id)]


def _keep_private(turn: Turn, post_id: int | None) -> list[Reply]:
    post = _own_post(turn, post_id)
    if post is None:
        return [turn.notice("wol.not_yours")]
    post.conversation_id = None
    return [turn.notice("wol.kept_private", replace=True)]


def _ask_instead(turn: Turn, post_id: int | None) -> list[Reply]:
    """The message was a question after all: forget the post and ask it the usual way."""
    post = _own_post(turn, post_id)
    if post is None:
        return [turn.notice("wol.not_yours")]
    parsed = commands.parse("ask", post.text)
    turn.session.delete(post)
    if isinstance(parsed, commands.UsageError):
        return [turn.notice(parsed.key, **parsed.params)]
    return asking.ask(turn, parsed)


# -- reading digests ------------------------------------------------------------------------------

def _logged(session: Session, person: Person, kind: str, subject_id: int) -> bool:
    return session.scalar(select(exists().where(Activity.person_id == person.id, Activity.kind == kind,
                                                Activity.subject_id == subject_id))) or False


def read_digest(session: Session, person: Person, delivery_id: int | None, now: datetime) -> None:
    """Log that ``person`` read digest ``delivery_id`` (consumption), once per digest and reader."""
    if delivery_id is None:
        return
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.workspace_id != person.workspace_id:
        return
    if not _logged(session, person, "read_digest", delivery.id):
        activity.log(session, person, "read_digest", now, delivery.id)


def _open(turn: Turn, delivery_id: int | None, question_id: int | None) -> list[Reply]:
    """A question clicked in a digest: shown with its answers, if the clicker may see it."""
    question = turn.session.get(Question, question_id) if question_id is not None else None
    if question is None or not can_see(turn.session, turn.person, question):
        return [turn.notice("digest.question_gone")]
    read_digest(turn.session, turn.person, delivery_id, turn.now)
    live = [a for a in question.answers if a.deleted_at is None]
    accepted = next((a for a in live if a.is_accepted), None)
    blocks: list[Block] = [ListBlock(items=[cards.hit_item(question, accepted, turn.locale)])]
    if live:
        blocks.append(ListBlock(items=[cards.answer_item(a, turn.locale) for a in live[:5]]))
    else:
        blocks.append(Text(text=turn.say("digest.no_answers_yet"), style="context"))
    return [turn.private(cards.snippet(question.text, 120), blocks)]


# -- channels asking for a digest -----------------------------------------------------------------

@commands.command("digest", verbs=("digest", "samenvatting"), parse=commands.grammar.channel_digest,
                  usage="help.digest", who="channel member", order=130)
def digest_command(turn: Turn, command: commands.ChannelDigest) -> list[Reply]:
    return channel_digest(turn, command.on)


def channel_digest(turn: Turn, on: bool, thread_id: str | None = None) -> list[Reply]:
    """Turn the weekly digest of the current channel on or off, in the asker's timezone.

    The answer is posted in the channel, so it is in the channel's language
    (:mod:`kbbot.services.language`), as the digest will be; ``locale`` keeps
    that language as it was when the digest was turned on, for reference.
    """
    where = turn.conversation
    if where.kind not in (ConversationKind.CHANNEL, ConversationKind.PRIVATE):
        return [turn.notice("digest.channel_private_only")]
    locale = language.turn_channel_locale(turn, where)
    row = turn.session.get(ChannelDigest, where.id)
    if row is not None and row.enabled and on:  # asked again: nothing changes, only the asker is told
        weekly = moment(turn.settings, CHANNEL_DIGEST, row.timezone, turn.workspace.settings, None)
        return [turn.notice("digest.channel_already_on", day=turn.say(f"wol.day.{weekly.day}"), time=weekly.at,
                            timezone=weekly.timezone)]
    if (row is None or not row.enabled) and not on:
        return [turn.notice("digest.channel_already_off")]
    if row is None:
        row = ChannelDigest(conversation_id=where.id, workspace_id=where.workspace_id, enabled=on,
                            locale=locale, timezone=turn.person.timezone, requested_by=turn.person.id,
                            created_at=turn.now)
        turn.session.add(row)
    else:
        row.enabled = on
        if on:
            row.locale, row.timezone, row.requested_by = locale, turn.person.timezone, turn.person.id
    if on:
        weekly = moment(turn.settings, CHANNEL_DIGEST, row.timezone, turn.workspace.settings, None)
        text = t(locale, "digest.channel_on", day=t(locale, f"wol.day.{weekly.day}"), time=weekly.at,
                 timezone=weekly.timezone)
    else:
        text = t(locale, "digest.channel_off")
    return [Reply(text=text, blocks=[Text(text=text)], to=Post(conversation_id=where.external_id, thread_id=thread_id),
                  locale=locale)]


# -- what shared posts add to expertise -----------------------------------------------------------

def post_tag_counts(session: Session, tag_ids: list[int], viewer: Person) -> dict[int, int]:
    """Per author, how many posts tagged with ``tag_ids`` ``viewer`` may see (shared with a visible channel).

    Meant for :func:`kbbot.services.expertise.rank`: a "just for me" post never
    counts towards anyone's public expertise, a post in a private channel only
    for viewers in it.
    """
    if not tag_ids:
        return {}
    rows = session.execute(
        select(SharedPost.author_id, SharedPost.id).join(SharedPostTag, SharedPostTag.post_id == SharedPost.id)
        .where(SharedPostTag.tag_id.in_(tag_ids), SharedPost.conversation_id.in_(
            select(Conversation.id).where(visible_conversations(viewer)))).distinct()).all()
    counts: dict[int, int] = {}
    for author_id, _ in rows:
        counts[author_id] = counts.get(author_id, 0) + 1
    return counts


"""Writing a chat history into kbbot's knowledge, through the same tables and rules as live capture.

People, conversations and memberships go through :mod:`kbbot.services.directory`,
a question's status through :func:`kbbot.services.answering.refresh_status`,
tags through :mod:`kbbot.services.tagging`, and the search index follows by
itself (:mod:`kbbot.search.sync` indexes every flush). Imported knowledge is
therefore found, ranked and counted towards expertise and digests exactly as
knowledge captured live. Nothing here produces a reply: an import is never
posted anywhere.

Threads are written a batch at a time in a savepoint: a batch that fails is
rolled back whole and its threads are written again one by one, so one bad
thread is reported and skipped while the others are kept, and nothing is
ever half-written.

People erased from kbbot (:mod:`kbbot.privacy.erased`) stay erased: an
export that still lists them does not create them again, what they asked
and answered comes in as the workspace's "former colleague"'s (or not at
all where the workspace deletes an erased person's knowledge, as
:func:`kbbot.privacy.erasure.knowledge_policy` says), mentions of them read
"@a former colleague", and their reactions are neither votes nor acceptances.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from kbbot.commands import Ask, grammar
from kbbot.contract.events import UNREADABLE, Actor, Place
from kbbot.contract.history import Member, Reaction, Room, Said, Thread
from kbbot.importing import threads as rules
from kbbot.importing.questions import reads_as_question
from kbbot.importing.summary import Summary
from kbbot.privacy import erasure
from kbbot.privacy.erased import ErasedIds
from kbbot.privacy.placeholder import former_colleague
from kbbot.services import answering, directory, tagging
from kbbot.store.models import (
    Activity,
    Answer,
    AnswerRevision,
    ConversationKind,
    ImportedThread,
    ImportedVote,
    ImportRun,
    Membership,
    Person,
    Question,
    QuestionStatus,
    Tag,
    TagAlias,
    Vote,
    Workspace,
)
from kbbot.text.tags import normalise

log = logging.getLogger(__name__)
DIRECT = (ConversationKind.DM.value, ConversationKind.GROUP.value)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_WORDS = re.compile(r"[\w#+.\-]+", re.UNICODE)
KNOWN_TAG_MIN = 4
"""A word of a question is taken as a known tag only from this length (or with a sign, as ``k8s``, ``c#``):
short tags (``go``) are ordinary words too often."""


def clean(text: str) -> str:
    """Text as the database can store it: no NUL, no half characters (as :mod:`kbbot.contract.events` does)."""
    return _LONE_SURROGATE.sub(UNREADABLE, text).replace("\x00", "")


def fingerprint(thread: Thread) -> str:
    """What a thread held, in 32 hex digits: the same export read twice gives the same value."""
    digest = hashlib.blake2b(digest_size=16)
    for said in (thread.start, *thread.replies):
        digest.update(repr((said.id, said.author, said.text, said.edited_at, said.reactions, said.by_bot)).encode(
            "utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ImportOptions:
    """How to import: from which platform and file, whether direct messages too, and whether to write at all."""

    platform: str
    source: str
    include_direct: bool = False
    dry_run: bool = False
    default_timezone: str = "Europe/Amsterdam"
    default_locale: str = "en"
    max_text: int = 40_000


@dataclass(frozen=True)
class _Known:
    id: int
    is_bot: bool


class Writer:
    """Writes one history into one workspace; its maps of people and rooms grow with those, never with messages."""

    def __init__(self, session: Session, options: ImportOptions, summary: Summary, now: datetime) -> None:
        self.session = session
        self.options = options
        self.summary = summary
        self.now = now
        self.space: Workspace | None = None
        self.run: ImportRun | None = None
        self.people: dict[str, _Known] = {}
        self.external: dict[int, str] = {}
        self.accepted_now: set[Answer] = set()
        self.rows: dict[type, list[dict[str, object]]] = {Activity: [], Vote: [], ImportedVote: [], ImportedThread: []}
        self.rooms: dict[str, tuple[int, str | None]] = {}
        self.known_tags: dict[str, str] = {}
        self.erased: ErasedIds | None = None
        self.erased_seen: set[str] = set()
        self.stand_in: _Known | None = None
        """The former colleague, who takes an erased person's place (None: their knowledge is not imported)."""

    # -- the workspace, its people and its conversations -------------------------------------------------------

    def begin(self, workspace_id: str, workspace_name: str | None) -> Workspace:
        self.space = directory.workspace(self.session, self.options.platform, workspace_id, workspace_name, self.now)
        self.session.flush()
        self.erased = ErasedIds(self.session, self.space)
        if self.erased and erasure.knowledge_policy(self.space) == erasure.KEEP:
            self.stand_in = _Known(former_colleague(self.session, self.space.id, self.now).id, False)
            self.session.flush()
        if not self.options.dry_run:
            self.run = ImportRun(workspace_id=self.space.id, source=self.options.source[-255:], started_at=self.now,
                                 summary={})
            self.session.add(self.run)
            self.session.flush()
        for tag in self.session.scalars(select(Tag.name)):
            self.known_tags.setdefault(tag, tag)
        for alias, name in self.session.execute(select(TagAlias.alias, TagAlias.tag_name)):
            self.known_tags[alias] = name
        return self.space

    def members(self, members: Sequence[Member]) -> None:
        """People by their platform id: created when new, deactivated when the export says they were deleted."""
        assert self.space is not None
        existing = set(self.session.scalars(select(Person.external_id).where(
            Person.workspace_id == self.space.id, Person.external_id.in_([m.id for m in members]))))
        for member in members:
            if not 0 < len(member.id) <= 128:
                continue
            if self._erased(member.id):
                self.summary.counts["people_erased"] += 1
                continue
            locale = member.locale if member.locale and len(member.locale) <= 35 else None
            actor = Actor(id=member.id, name=member.name, locale=locale, timezone=member.timezone,
                          is_bot=member.is_bot)
            row = directory.person(self.session, self.space, actor, self.now, self.options.default_timezone,
                                   self.options.default_locale)
            if member.id not in existing:
                self.summary.counts["people_new"] += 1
            if member.deleted and row.is_active:
                row.is_active = False
                self.summary.counts["people_deactivated"] += 1
            self.session.flush()
            self.people[member.id] = _Known(row.id, row.is_bot or member.is_bot)
            self.external[row.id] = member.id

    def room(self, room: Room) -> None:
        """A conversation with its kind; members from the export only where kbbot knew none.

        kbbot's own record of who is in a conversation (kept live from the
        platform) is newer than any export, so it is never overwritten: adding
        an export's old member list to it could let someone who has since
        left a private channel read its knowledge.
        """
        assert self.space is not None
        if room.kind in DIRECT and not self.options.include_direct:
            self.summary.skip("direct_messages", room.name or room.id)
            return
        where = directory.conversation(self.session, self.space, Place(id=room.id, kind=room.kind, name=room.name),
                                       self.now)
        self.session.flush()
        self.summary.counts["conversations"] += 1
        self.rooms[room.id] = (where.id, where.name)
        known = self.session.scalar(select(Membership.person_id).where(Membership.conversation_id == where.id)
                                    .limit(1))
        if known is None:
            for person_id in dict.fromkeys(self.people[m].id for m in room.members if m in self.people):
                self.session.add(Membership(conversation_id=where.id, person_id=person_id, since=self.now))
            self.session.flush()

    # -- threads -----------------------------------------------------------------------------------------------

    def threads(self, batch: Sequence[Thread]) -> None:
        """Write a batch in one savepoint; if it fails, write its threads one at a time and skip the failing ones."""
        try:
            with self.session.begin_nested():
                self._write(batch)
        except Exception:
            if len(batch) == 1:
                log.exception("import: thread %s in %s could not be written", batch[0].start.id, batch[0].source)
                self.summary.skip("write_failed", batch[0].source, 1 + len(batch[0].replies))
                return
            for thread in batch:
                self.threads([thread])

    def _write(self, batch: Sequence[Thread]) -> None:
        counts = self.summary.counts.copy()
        skipped = self.summary.skipped.copy()
        try:
            self._write_batch(batch)
        except Exception:
            self.summary.counts, self.summary.skipped = counts, skipped  # the retry counts them again
            raise

    def _write_batch(self, batch: Sequence[Thread]) -> None:
        keyed = [(self.rooms[t.room][0], t) for t in batch if t.room in self.rooms]
        for thread in batch:
            self.summary.counts["threads"] += 1
            if thread.room not in self.rooms:
                self.summary.skip("direct_messages", thread.source, 1 + len(thread.replies))
        if not keyed:
            return
        keys = [(conversation_id, t.start.id) for conversation_id, t in keyed]
        ledger = {(row.conversation_id, row.message_id): row for row in self.session.scalars(
            select(ImportedThread).where(tuple_(ImportedThread.conversation_id, ImportedThread.message_id).in_(keys)))}
        asked = {(q.conversation_id, q.message_id): q for q in self.session.scalars(
            select(Question).where(tuple_(Question.conversation_id, Question.message_id).in_(keys)))}
        reply_keys = [(conversation_id, said.id) for conversation_id, t in keyed for said in t.replies]
        answered = {}
        for start in range(0, len(reply_keys), 2000):
            answered.update({(a.conversation_id, a.message_id): a for a in self.session.scalars(
                select(Answer).where(tuple_(Answer.conversation_id, Answer.message_id).in_(
                    reply_keys[start:start + 2000])))})
        self.accepted_now.clear()
        for pending in self.rows.values():
            pending.clear()
        with self.session.no_autoflush:
            work = self._plan(keyed, ledger, asked, answered)
        # One flush writes every question and answer of the batch, so each is indexed once (kbbot/search/sync.py);
        # what needs their ids (votes, the activity log, the ledger) follows in a second flush that indexes nothing.
        self.session.flush()
        with self.session.no_autoflush:
            for thread, question, pairs, created, entry, mark in work:
                self._log_and_vote(question, pairs, created)
                accepted = next((said.id for said, answer, _ in pairs if answer in self.accepted_now), None)
                self._record(entry, question.conversation_id, thread, mark, question.id, accepted)
        self.session.flush()
        # Rows nothing reads back during the import go in as plain multi-row inserts: a third of all rows
        # written, at a fraction of the cost of ORM objects.
        for model, pending in self.rows.items():
            if pending:
                self.session.execute(insert(model), pending)

    def _plan(self, keyed: list[tuple[int, Thread]], ledger: dict[tuple[int, str], ImportedThread],
              asked: dict[tuple[int, str], Question], answered: dict[tuple[int, str], Answer]
              ) -> list[tuple[Thread, Question, list[tuple[Said, Answer, bool]], bool, ImportedThread | None, str]]:
        """Questions and answers of a batch, accepted answer and status included, before anything is flushed."""
        work: list[tuple[Thread, Question, list[tuple[Said, Answer, bool]], bool, ImportedThread | None, str]] = []
        for conversation_id, thread in keyed:
            key = (conversation_id, thread.start.id)
            size = 1 + len(thread.replies)
            mark = fingerprint(thread)
            entry = ledger.get(key)
            if entry is not None and entry.fingerprint == mark:
                self.summary.skip("unchanged", thread.source, size)
                continue
            thread = self._without_erased_reactions(thread)
            question = asked.get(key)
            created = False
            if question is None:
                reason = self._not_a_question(thread, entry)
                if reason is not None:
                    self.summary.skip(reason, thread.source, size)
                    self._record(entry, conversation_id, thread, mark, None)
                    continue
                question = self._question(conversation_id, thread)
                created = True
            elif entry is not None:
                self.summary.counts["merged"] += 1
            pairs = self._answers(conversation_id, thread, question, answered)
            self._accept(question, pairs, created, entry)
            work.append((thread, question, pairs, created, entry, mark))
        return work

    # -- people erased from kbbot ------------------------------------------------------------------------------

    def _erased(self, external_id: str | None) -> bool:
        """Whether kbbot erased this platform id from the workspace (never someone the import already knows)."""
        if external_id is None or self.erased is None or external_id in self.people:
            return False
        if external_id in self.erased:
            self.erased_seen.add(external_id)
            return True
        return False

    def _who(self, external_id: str | None) -> _Known | None:
        """The person a message or reaction is by; an erased person's place is the former colleague's."""
        known = self.people.get(external_id or "")
        if known is None and self._erased(external_id):
            return self.stand_in
        return known

    def _author(self, said: Said) -> int:
        """The author's person id, for a message :meth:`_problem` accepted; counted when it stands in for someone."""
        known = self._who(said.author)
        assert known is not None
        if self.stand_in is not None and known is self.stand_in and said.author not in self.people:
            self.summary.counts["erased_messages"] += 1
        return known.id

    def _text(self, text: str) -> str:
        """Storable text; mentions of erased people name nobody."""
        text = clean(text)
        if not self.erased:
            return text
        gone = {found for found in erasure.mentioned(text) if self._erased(found)}
        gone |= {external_id for external_id in self.erased_seen if external_id in text}
        return erasure.without_mentions(text, gone) if gone else text

    def _without_erased_reactions(self, thread: Thread) -> Thread:
        """The thread without erased people's reactions: they vote for nothing and accept nothing."""
        if not self.erased:
            return thread
        dropped = 0

        def kept(said: Said) -> Said:
            nonlocal dropped
            reactions = []
            for reaction in said.reactions:
                people = tuple(person for person in reaction.people if not self._erased(person))
                dropped += len(reaction.people) - len(people)
                if people:
                    reactions.append(Reaction(reaction.emoji, people))
            return said if tuple(reactions) == said.reactions else replace(said, reactions=tuple(reactions))

        thread = replace(thread, start=kept(thread.start), replies=tuple(kept(said) for said in thread.replies))
        self.summary.counts["erased_reactions"] += dropped
        return thread

    def _problem(self, said: Said) -> str | None:
        """Why a message cannot be anyone's question or answer, if it cannot."""
        if said.by_bot or said.author is None:
            return "by_bot"
        known = self._who(said.author)
        if known is None:
            return "erased_person" if self._erased(said.author) else "unknown_user"
        if known.is_bot:
            return "by_bot"
        if len(said.text) > self.options.max_text:
            return "too_long"
        if not said.text.strip():
            return "empty"
        return None

    def _not_a_question(self, thread: Thread, entry: ImportedThread | None) -> str | None:
        if entry is not None:
            # Read before and found no question, or its question was deleted since: either way, not made again.
            return "not_a_question"
        problem = self._problem(thread.start)
        if problem is not None:
            return problem
        return None if reads_as_question(thread.start.text) else "not_a_question"

    def _question(self, conversation_id: int, thread: Thread) -> Question:
        assert self.space is not None
        start = thread.start
        last = max((said.at for said in thread.replies), default=start.at)
        question = Question(workspace_id=self.space.id, conversation_id=conversation_id, message_id=start.id,
                            asker_id=self._author(start), is_anonymous=False, text=self._text(start.text),
                            status=QuestionStatus.OPEN, created_at=start.at, updated_at=max(last, start.at))
        question.tags = tagging.ensure(self.session, self._tags(start.text, self.rooms[thread.room][1]))
        self.session.add(question)
        self.summary.counts["questions"] += 1
        return question

    def _tags(self, text: str, room_name: str | None) -> list[str]:
        """``#tags`` as ``/ask`` reads them, tags kbbot already knows named in the text, and the channel's name
        where it is a known tag (a ``#kubernetes`` channel's questions are about Kubernetes)."""
        parsed = grammar.ask(text)
        found = list(parsed.tags) if isinstance(parsed, Ask) else []
        words = [w.strip(".-") for w in _WORDS.findall(text.casefold())]
        if room_name:
            words.append(room_name.casefold())
        for word in words:
            if len(word) >= KNOWN_TAG_MIN or (word and not word.isalpha()):
                normal = normalise(word)
                if normal and normal in self.known_tags and self.known_tags[normal] not in found:
                    found.append(self.known_tags[normal])
        return found[:grammar.MAX_TAGS]

    def _answers(self, conversation_id: int, thread: Thread, question: Question,
                 answered: dict[tuple[int, str], Answer]) -> list[tuple[Said, Answer, bool]]:
        """Replies as answers, by their original authors and times; an answer read before is updated if edited."""
        asker = question.asker_id
        pairs = []
        for said in thread.replies:
            problem = self._problem(said)
            if problem is None and (said.author == thread.start.author if self._erased(said.author)
                                    else self._author(said) == asker):
                problem = "asker_reply"
            if problem is not None:
                self.summary.skip(problem, thread.source)
                continue
            existing = answered.get((conversation_id, said.id))
            if existing is not None:
                if existing.question_id == question.id:
                    self._edited(existing, said)
                    pairs.append((said, existing, False))
                continue
            answer = Answer(question=question, author_id=self._author(said),
                            conversation_id=conversation_id, message_id=said.id, text=self._text(said.text),
                            is_accepted=False, created_at=said.at, edited_at=said.edited_at)
            self.session.add(answer)
            self.summary.counts["answers"] += 1
            pairs.append((said, answer, True))
        return pairs

    def _edited(self, answer: Answer, said: Said) -> None:
        """A later export has the edited text: keep the old one as a revision, as a live edit does."""
        text = self._text(said.text)
        if said.edited_at is None or answer.deleted_at is not None or answer.text == text:
            return
        if answer.edited_at is not None and answer.edited_at.timestamp() >= said.edited_at.timestamp():
            return
        self.session.add(AnswerRevision(answer_id=answer.id, change="edit", previous_text=answer.text,
                                        changed_at=said.edited_at))
        answer.text = text
        answer.edited_at = said.edited_at

    def _accept(self, question: Question, pairs: list[tuple[Said, Answer, bool]], created: bool,
                entry: ImportedThread | None) -> None:
        """Mark the accepted answer (never over one accepted already) and derive the question's status.

        An acceptance an earlier import made is not made again: if the asker has
        taken it back in kbbot since, a later export's old check mark must not
        overrule them.
        """
        settled = entry is not None and entry.accepted_message_id is not None
        if not question.is_anonymous and pairs and not settled and not any(a.is_accepted for a in question.answers):
            chosen = rules.accepted_reply([said for said, _, _ in pairs], self.external.get(question.asker_id, ""))
            answer = next((a for said, a, _ in pairs if chosen is not None and said.id == chosen.id), None)
            if answer is not None and answer.deleted_at is None:
                answer.is_accepted = True
                self.accepted_now.add(answer)
                self.summary.counts["accepted"] += 1
        if created:
            # What refresh_status derives, for answers that cannot have flags yet (it would load them one by one).
            question.status = QuestionStatus.ACCEPTED if any(a.is_accepted for _, a, _ in pairs) else \
                QuestionStatus.ANSWERED if pairs else QuestionStatus.OPEN
        else:
            answering.refresh_status(question)

    def _log_and_vote(self, question: Question, pairs: list[tuple[Said, Answer, bool]], created: bool) -> None:
        """The activity log (as live capture writes it, at the original times) and votes from reactions."""
        if created:
            self._log(question.asker_id, "asked", question.created_at, question.id)
        for said, answer, new in pairs:
            if new:
                self._log(answer.author_id, "answered", said.at, answer.id)
            if answer in self.accepted_now:
                self._log(question.asker_id, "accepted", answer.created_at, answer.id)
        self._votes(pairs, self.external.get(question.asker_id))

    def _votes(self, pairs: list[tuple[Said, Answer, bool]], asker: str | None) -> None:
        """Votes from reactions, each applied once ever (:class:`ImportedVote`): one withdrawn in kbbot since an
        earlier import stays withdrawn, though a later export still shows the reaction."""
        ids = [answer.id for _, answer, new in pairs if not new]
        have: set[tuple[int, int]] = set()
        applied: set[tuple[int, int]] = set()
        if ids:
            have = {(a, p) for a, p in self.session.execute(
                select(Vote.answer_id, Vote.person_id).where(Vote.answer_id.in_(ids)))}
            applied = {(a, p) for a, p in self.session.execute(
                select(ImportedVote.answer_id, ImportedVote.person_id).where(ImportedVote.answer_id.in_(ids)))}
        for said, answer, _ in pairs:
            for voter in rules.voters(said, asker):
                known = self.people.get(voter)
                if known is None or known.is_bot or known.id == answer.author_id:
                    continue
                pair = (answer.id, known.id)
                if pair in applied:
                    continue
                applied.add(pair)
                self.rows[ImportedVote].append({"answer_id": answer.id, "person_id": known.id})
                if pair in have:  # voted in kbbot already: counted once
                    continue
                have.add(pair)
                self.rows[Vote].append({"answer_id": answer.id, "person_id": known.id, "created_at": said.at})
                self.summary.counts["votes"] += 1
                self._log(known.id, "voted", said.at, answer.id)

    def _log(self, person_id: int, kind: str, at: datetime, subject_id: int | None) -> None:
        """What someone did, as live capture logs it; nothing for the former colleague (erasure deletes it)."""
        assert self.space is not None
        if self.stand_in is not None and person_id == self.stand_in.id:
            return
        self.rows[Activity].append({"workspace_id": self.space.id, "person_id": person_id, "kind": kind,
                                    "subject_id": subject_id, "created_at": at})

    def _record(self, entry: ImportedThread | None, conversation_id: int, thread: Thread, mark: str,
                question_id: int | None, accepted: str | None = None) -> None:
        run_id = self.run.id if self.run is not None else None
        if entry is None:
            self.rows[ImportedThread].append({"conversation_id": conversation_id, "message_id": thread.start.id,
                                              "fingerprint": mark, "question_id": question_id, "run_id": run_id,
                                              "imported_at": self.now, "accepted_message_id": accepted})
        else:
            entry.fingerprint, entry.run_id, entry.imported_at = mark, run_id, self.now
            entry.question_id = question_id if question_id is not None else entry.question_id
            entry.accepted_message_id = accepted or entry.accepted_message_id

    def finish(self) -> None:
        """Record the run's summary with it (units of work end in between, so the run is read again)."""
        if self.run is not None:
            run = self.session.get(ImportRun, self.run.id)
            assert run is not None
            run.finished_at = self.now
            run.summary = self.summary.as_dict()

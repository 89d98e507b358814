"""The escalation ladder: every step once (also with two schedulers on one database), never a private or
anonymous question reposted, and nothing more once the question is answered, accepted, closed or withdrawn."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from console_chat import Chat
from routing_support import Clock, Recorder, invitations, office_hours, round_, routed_chat, steps
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import DirectMessage, Post
from kbbot.routing import ladder
from kbbot.scheduler import jobs, runner
from kbbot.services import digest
from kbbot.store.db import make_engine, session_factory, unit_of_work
from kbbot.store.models import Conversation, Person, Question, RoutingSettings, Workspace

STEP_2 = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)   # Monday 14:00 in Amsterdam: 4 working hours after 10:00
STEP_3 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)    # Tuesday 10:00: one working day (8.5 hours) later
STEP_4 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)   # Thursday 10:00: three working days


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(settings: Settings) -> Settings:
    return office_hours(settings, expert_notify="dm", routing_first_invites=1, routing_second_invites=2,
                        routing_repost_channel="C-ask-anything")


@pytest.fixture
def talk(sessions: sessionmaker[Session], office: Settings, clock: Clock) -> Chat:
    return routed_chat(sessions, office, clock)


def vpn_experts(chat: Chat) -> None:
    for name in ("bob", "carol", "dave", "erin"):
        chat(f":as {name}", f"/expertise add vpn")


def test_every_step_happens_once_with_two_schedulers_and_survives_a_restart(
        talk: Chat, db_url: str, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    shown = talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")
    assert shown.count("DM to") == 1
    recorders = [Recorder(), Recorder()]

    def two_schedulers(at: datetime) -> None:
        """Two processes, each with its own engine (a restart between rounds), racing at the same moment."""
        engines: list[Engine] = [make_engine(db_url), make_engine(db_url)]
        start = threading.Barrier(2)

        def one(index: int) -> None:
            start.wait()
            ladder.run(session_factory(engines[index]), office, {"console": recorders[index]},
                       clock=lambda: at, worker=f"process-{index}")

        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for engine in engines:
            engine.dispose()

    def sent() -> list:
        return [reply for recorder in recorders for reply in recorder.sent]

    two_schedulers(datetime(2026, 12, 7, 12, 59, tzinfo=UTC))
    assert sent() == [] and set(steps(sessions)) == {(1, 1)}
    two_schedulers(STEP_2)
    assert sorted(r.to.person_id for r in sent()) == ["carol", "dave"]  # the next two, once each
    two_schedulers(STEP_3)
    reposts = [r for r in sent() if isinstance(r.to, Post)]
    assert [r.to.conversation_id for r in reposts] == ["C-ask-anything"]
    assert "How do I rotate the VPN certificate?" in str(reposts[0].blocks)
    two_schedulers(STEP_4)
    told = [r for r in sent() if isinstance(r.to, DirectMessage) and r.to.person_id == "alice"]
    assert len(told) == 1 and "Nobody has answered your question Q1" in told[0].text
    two_schedulers(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))  # a week on: nothing left to do
    assert len(sent()) == 4
    assert steps(sessions) == {(1, 1): "invited", (1, 2): "invited", (1, 3): "reposted", (1, 4): "told"}


def test_the_ladder_in_the_console_and_the_askers_way_out(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    talk(":as alice nl", "/ask Hoe vernieuw ik het VPN-certificaat? #vpn")
    clock.set(STEP_3)
    shown = round_(talk, sessions, office, clock)
    assert "#ask-anything" in shown and "Hoe vernieuw ik het VPN-certificaat?" in shown
    clock.set(STEP_4)
    told = round_(talk, sessions, office, clock)
    assert "DM to alice" in told and "Niemand heeft je vraag Q1 nog beantwoord" in told
    assert "/kb edit 1" in told and "Sluit mijn vraag" in told
    # The experts' next digest leads with it.
    with unit_of_work(sessions) as session:
        erin = session.scalars(select(Person).where(Person.external_id == "erin")).one()
        for number in range(5):  # five newer open #vpn questions would otherwise push it out
            talk(":as frank", f"/ask VPN question number {number} that nobody answers? #vpn")
        waiting = digest.recognition.escalated_first(session, [erin], {erin.id: digest.waiting_for(session, erin)},
                                                     digest.WAITING_LIMIT)[erin.id]
        assert waiting[0].id == 1 and len(waiting) == digest.WAITING_LIMIT
    closed = talk(":as alice", f":click {talk.button('Sluit mijn vraag', told)}")
    assert "closed" in closed.casefold() or "gesloten" in closed.casefold()
    with unit_of_work(sessions) as session:
        assert session.get(Question, 1).status.value == "closed"


def test_a_private_or_anonymous_question_is_never_reposted(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    talk(":as alice", ":in #secret private", "/ask Who holds the VPN root key? #vpn")
    talk(":as alice", ":in #general", "/ask --anon Can I use the VPN from home abroad? #vpn")
    talk(":as alice", ":in #general", "/ask Which VPN gateway is closest to Berlin? #vpn")
    clock.set(STEP_3)
    reposted = reposts(sessions, office, clock)
    assert list(reposted) == ["C-ask-anything"] and "Which VPN gateway" in reposted["C-ask-anything"]
    assert "root key" not in str(reposted) and "from home abroad" not in str(reposted)
    assert [outcome for (q, step), outcome in sorted(steps(sessions).items()) if step == 3] == [
        "not_allowed", "not_allowed", "reposted"]


def test_a_wider_channel_known_to_be_private_is_never_used(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    talk(":as bob", ":in #ask-anything private", "hello")  # kbbot knows this one to be private
    talk(":as carol", ":in #vpn-help", "hi")
    with unit_of_work(sessions) as session:  # a workspace's own setting: #vpn questions go to #vpn-help
        session.add(RoutingSettings(workspace_id=session.scalars(select(Workspace.id)).one(),
                                    tag_channels={"terraform": "C-vpn-help"}, updated_at=clock()))
    talk(":as alice", ":in #general", "/ask Where is the VPN config kept? #vpn")
    talk(":as alice", ":in #general", "/ask Which terraform version do we pin? #terraform")
    clock.set(STEP_3)
    reposted = reposts(sessions, office, clock)
    assert list(reposted) == ["C-vpn-help"] and "terraform version" in reposted["C-vpn-help"]
    assert "VPN config" not in str(reposted)


def reposts(sessions: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, str]:
    """One round; what it posted in channels, by channel (the invitations are DMs)."""
    recorder = Recorder()
    ladder.run(sessions, settings, {"console": recorder}, clock=clock)
    return {r.to.conversation_id: str(r.blocks) for r in recorder.sent if isinstance(r.to, Post)}


@pytest.mark.parametrize("settle", ["accept", "answer", "close", "withdraw"])
def test_the_ladder_stops_once_the_question_is_settled(
        settle: str, talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    shown = talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")
    settings = office.model_copy(update={"routing_first_invites": 0})  # nobody yet: all invitations come later
    talk(":as alice", "/ask Is split tunnelling allowed on the VPN? #vpn")  # still open: the ladder goes on
    if settle in ("accept", "answer"):
        replied = talk(":as bob", ":reply 1 Run vpnctl rotate --all.")
        if settle == "accept":
            talk(":as alice", f":click {talk.button('Accept', replied)}")
    else:
        talk(":as alice", f"/kb {settle} 1")
    assert shown
    expected = {"accept": "accepted", "answer": "answered", "close": "closed", "withdraw": "withdrawn"}[settle]
    with unit_of_work(sessions) as session:
        assert session.get(Question, 1).status.value == expected
    for moment in (STEP_2, STEP_3, STEP_4):
        clock.set(moment)
        round_(talk, sessions, settings, clock)
    taken = steps(sessions)
    assert [step for (question, step) in taken if question == 1] == [1]  # nothing after posting
    assert {step for (question, step) in taken if question == 2} == {1, 2, 3, 4}
    assert all(person in ("bob", "carol", "dave") or question == 2 for question, person in invitations(sessions))


def test_the_channel_digest_thanks_whoever_took_an_escalated_question(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")  # Bob invited at once
    clock.set(STEP_2)
    shown = round_(talk, sessions, office, clock)  # nobody answered: Carol and Dave are asked
    assert "DM to carol" in shown
    taken = talk(":as carol", f":click {talk.button('I' + chr(39) + 'll take it', shown)}")
    assert "Carol is on it" in taken
    talk(":as carol", ":reply 1 Run vpnctl rotate --all, then restart the gateway.")
    with unit_of_work(sessions) as session:
        general = session.scalars(select(Conversation).where(Conversation.external_id == "C-general")).one()
        week = digest.Window(datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))
        post = digest.channel(session, general, "en", week)
        dutch = digest.channel(session, general, "nl", week)
    assert post is not None and dutch is not None
    assert "Thanks for picking up questions nobody had answered: Carol" in str(post.blocks)
    assert "Bedankt voor het oppakken van vragen waar niemand op antwoordde: Carol" in str(dutch.blocks)


def test_the_routing_round_is_a_scheduler_job_of_every_kbbot_serve(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")
    recorder = Recorder()
    started = runner.start(office, sessions, {"console": recorder}, clock=lambda: STEP_2, tick_seconds=3600,
                           first_round_after=3600)
    try:
        report = jobs.get(jobs.ROUTING_ROUND).run(started)  # what the scheduler runs every tick
    finally:
        started.shutdown()
    assert report.steps == {"2:invited": 1}
    assert sorted(reply.to.person_id for reply in recorder.sent) == ["carol", "dave"]


def test_taking_a_question_pauses_the_ladder_for_a_while(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    vpn_experts(talk)
    shown = talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")
    assert "Bob is on it" in talk(":as bob", f":click {talk.button('I' + chr(39) + 'll take it', shown)}")
    clock.set(STEP_2)  # 4 working hours on, no answer yet: but Bob said he is on it
    assert "DM to" not in round_(talk, sessions, office, clock)
    assert set(steps(sessions)) == {(1, 1)}
    clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))  # 8 working hours after the claim: the ladder resumes
    resumed = round_(talk, sessions, office, clock)
    assert "DM to carol" in resumed and "DM to dave" in resumed
    assert set(steps(sessions)) == {(1, 1), (1, 2), (1, 3)}

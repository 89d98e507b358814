"""The console adapter: lines typed in a terminal (or read from a script) become core events.

It plays every part a chat platform would: people (``:as``), channels
(``:in``), threads (``:reply``), reactions, buttons and message ids. The
knowledge goes into the same database and through the same core as Slack's
and Teams' events.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable
from typing import TextIO

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.commands import small_int
from kbbot.config import Settings
from kbbot.contract import actions
from kbbot.contract.events import (
    Actor,
    ButtonClicked,
    CommandInvoked,
    HomeOpened,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    Place,
    ReactionAdded,
    ReactionRemoved,
)
from kbbot.pipeline.ingest import Ingest
from kbbot.pipeline.threads import question_thread
from kbbot_adapters.console.send import BOT, PLATFORM, ConsoleScreen, Shown

# Models built from what is typed; their validation errors are the platform refusing the input.
_PLATFORM_SIDE = {"Actor", "Place", "CommandInvoked", "MessagePosted", "MessageEdited", "MessageDeleted",
                  "ReactionAdded", "ReactionRemoved", "ButtonClicked", "HomeOpened"}
WORKSPACE = "local"
# The core speaks emoji; the names people know from Slack work here too.
EMOJI = {"white_check_mark": "✅", "heavy_check_mark": "✔", "ballot_box_with_check": "☑", "+1": "👍", "thumbsup": "👍"}

HELP = """Console commands:
  :as NAME [en|nl]        act as NAME (optionally with a platform language)
  :in #CHANNEL [private]  go to a channel (private: only its members see its questions)
  :dm                     talk to kbbot in a direct message
  :reply N TEXT           reply in the thread of message #N (an answer, if #N is a question)
  :reply Q3 TEXT          answer question 3 in its thread, also one asked in an earlier run
  :react N EMOJI          react to message #N (✅ or white_check_mark accepts, 👍 or +1 upvotes)
  :unreact N EMOJI        take a reaction back
  :edit N TEXT            edit your message #N        :delete N   delete your message #N
  :click N                click button [N]            :home       open your kbbot home
  :help                   this help                   :quit       leave
Lines starting with / are commands (/ask, /kb, /experts, /expertise); other lines are messages;
"@kbbot …" in a message addresses the bot. Message numbers start at 1 every time the console starts;
question numbers (Q3) stay."""

# What each console command takes: its usage, and what is missing when it gets no, one, … argument(s).
USAGE: dict[str, tuple[str, tuple[str, ...]]] = {
    "as": ("NAME [en|nl]", ("a name",)),
    "in": ("#CHANNEL [private]", ("a channel",)),
    "reply": ("N TEXT (or Q3 TEXT to answer question 3)", ("a message number and text",
                                                            "text after the message number")),
    "react": ("N EMOJI", ("a message number and an emoji", "an emoji")),
    "unreact": ("N EMOJI", ("a message number and an emoji", "an emoji")),
    "edit": ("N TEXT", ("a message number and text", "text after the message number")),
    "delete": ("N", ("a message number",)),
    "click": ("N", ("a button number",)),
}
# Commands that take a fixed number of arguments (the others take the rest of the line as text).
MOST = {"as": (2, "a name and a language"), "in": (2, "a channel and the word private"),
        "react": (2, "a message number and one emoji"), "unreact": (2, "a message number and one emoji"),
        "delete": (1, "only a message number"), "click": (1, "only a button number")}
QUESTION = re.compile(r"[Qq]#?(\d{1,9})")
# What a reaction does on an answer, and the button on kbbot's messages that does the same.
REACTION_BUTTONS = {**{name: actions.ACCEPT for name in actions.ACCEPT_REACTIONS},
                    **{name: actions.UPVOTE for name in actions.UPVOTE_REACTIONS}}


class ConsoleSession:
    """One terminal conversation: the current person and place, and the messages seen so far."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, out: Callable[[str], None],
                 clock: Clock = system_clock) -> None:
        self.sessions = sessions
        self.settings = settings
        self.out = out
        self.clock = clock
        self.user = "alice"
        self.user_locale: str | None = None
        # The terminal plays the platform's API; the events take the path every platform's do.
        self.screen = ConsoleScreen(out)
        self.place = self._go(Place(id="C-general", kind="channel", name="general"))
        self.ingest = Ingest(settings, sessions, self.screen, clock=clock)
        self.events = itertools.count(1)

    # -- the platform's side ------------------------------------------------------------------
    def _go(self, place: Place) -> Place:
        """Enter ``place``; the screen then knows what kind of conversation kbbot's messages there are in."""
        self.screen.places[place.id] = place
        return place

    def _new_message(self, place: Place, author: str, thread_id: str | None = None) -> tuple[int, str]:
        return self.screen.new_message(place, author, thread_id)

    def _base(self, place: Place | None = None) -> dict[str, object]:
        return {"platform": PLATFORM, "workspace_id": WORKSPACE, "workspace_name": "Local console",
                "event_id": f"{self.screen.run_id}-{next(self.events)}",
                "actor": Actor(id=self.user, name=self.user.capitalize(), locale=self.user_locale),
                "conversation": place or self.place, "occurred_at": self.clock()}

    def _dispatch(self, event: object) -> None:
        self.ingest.run(event)  # type: ignore[arg-type]

    def feed(self, line: str) -> bool:
        """Handle one typed line; False when the person wants to leave.

        A line the platform would refuse (a 300-character channel name) is
        reported and the chat goes on, as a chat client would.
        """
        try:
            return self._feed(line)
        except ValidationError as error:
            if error.title not in _PLATFORM_SIDE:
                raise  # a bug in kbbot, not something the platform would refuse
            problem = error.errors()[0]
            self.out(f"  (not sent: {'.'.join(map(str, problem['loc']))}: {problem['msg']})")
            return True

    # -- what the person types ----------------------------------------------------------------
    def _feed(self, line: str) -> bool:
        line = line.rstrip("\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("# "):
            return True
        if stripped.startswith(":"):
            return self._console_command(stripped)
        if stripped.startswith("/"):
            name, _, text = stripped[1:].partition(" ")
            self._dispatch(CommandInvoked(**self._base(), command=name, text=text))  # type: ignore[arg-type]
            return True
        number, message_id = self._new_message(self.place, self.user)
        self.out(f"  (message #{number})")
        mentions_bot = "@kbbot" in line.casefold()
        text = line.replace("@kbbot", "").replace("@KBBOT", "").strip() if mentions_bot else line
        self._dispatch(MessagePosted(**self._base(), message_id=message_id, text=text,  # type: ignore[arg-type]
                                     mentions_bot=mentions_bot))
        return True

    def _message(self, token: str) -> Shown | None:
        """Message ``#N`` of this run, or None after saying why there is none."""
        number = small_int(token.lstrip("#"))
        found = self.screen.messages.get(number) if number is not None else None
        if found is not None:
            return found
        if QUESTION.fullmatch(token):
            self.out(f"  ({token} is a question's number: :reply {token} TEXT answers it; "
                     "this command takes a message number, as in 3)")
        elif number is None:
            self.out(f"  (no message {token!r}: messages go by their number, as in 3)")
        else:
            self.out(f"  (no message #{number} in this run: the console numbers messages from 1 every time it "
                     "starts, while kbbot keeps what was said before. Answer an earlier question with "
                     ":reply Q<its number> TEXT; /kb search shows the numbers)")
        return None

    def _console_command(self, line: str) -> bool:
        verb, _, rest = line[1:].partition(" ")
        args = rest.split()
        if verb in ("quit", "exit", "q"):
            return False
        if verb in USAGE and not self._enough(verb, args):
            return True
        if verb == "help":
            self.out(HELP)
        elif verb == "as":
            self.user = args[0].lstrip("@").casefold()
            self.user_locale = args[1] if len(args) > 1 else None
            self.out(f"  (you are {self.user})")
        elif verb == "in":
            name = args[0].lstrip("#")
            kind = "private" if len(args) > 1 and args[1] == "private" else "channel"
            self.place = self._go(Place(id=f"C-{name}", kind=kind, name=name))
            self.out(f"  (in #{name}{', private' if kind == 'private' else ''})")
        elif verb == "dm":
            self.place = self._go(Place(id=f"D-{self.user}", kind="dm", name=f"dm-{self.user}"))
            self.out("  (in a direct message with kbbot)")
        elif verb == "reply":
            self._reply(args[0], rest.split(maxsplit=1)[1])
        elif verb in ("react", "unreact"):
            if found := self._message(args[0]):
                cls = ReactionAdded if verb == "react" else ReactionRemoved
                name = args[1].strip(":").split("::", 1)[0]  # Slack-style skin tones: +1::skin-tone-3
                reaction = EMOJI.get(name, name)
                self._dispatch(cls(**self._base(found.place), message_id=found.message_id,  # type: ignore[arg-type]
                                   reaction=reaction))
                if verb == "react" and found.author == BOT:
                    self._reaction_on_kbbot(found, reaction)
        elif verb == "edit":
            if (found := self._message(args[0])) and self._own(found, args[0], "edit"):
                self._dispatch(MessageEdited(**self._base(found.place),  # type: ignore[arg-type]
                                             message_id=found.message_id, text=rest.split(maxsplit=1)[1]))
        elif verb == "delete":
            if (found := self._message(args[0])) and self._own(found, args[0], "delete"):
                self._dispatch(MessageDeleted(**self._base(found.place),  # type: ignore[arg-type]
                                              message_id=found.message_id))
        elif verb == "click":
            self._click(int(args[0]))
        elif verb == "home":
            self._dispatch(HomeOpened(**self._base()))  # type: ignore[arg-type]
        else:
            self.out(f"  (unknown console command {line.split()[0]!r}; :help lists them)")
        return True

    def _enough(self, verb: str, args: list[str]) -> bool:
        """True when ``verb`` got what it needs; otherwise say what is missing (or too much) and how it goes."""
        usage, missing = USAGE[verb]
        problem = None
        if len(args) < len(missing):
            problem = f"needs {missing[len(args)]}"
        elif verb == "click" and small_int(args[0]) is None:
            problem = "needs a button number"
        elif verb in MOST and len(args) > MOST[verb][0]:
            problem = f"takes {MOST[verb][1]}"
        if problem is None:
            return True
        self.out(f"  (:{verb} {problem}; usage: :{verb} {usage})")
        return False

    def _own(self, found: Shown, token: str, verb: str) -> bool:
        """A platform lets people edit and delete only their own messages; say so rather than do nothing."""
        if found.author == self.user:
            return True
        self.out(f"  (you can only {verb} your own messages: #{token.lstrip('#')} is {found.author}'s)")
        return False

    def _reaction_on_kbbot(self, found: Shown, reaction: str) -> None:
        """The core hears reactions on answers only; one on kbbot's own message is silently nothing there."""
        action = REACTION_BUTTONS.get(actions.reaction_name(reaction))
        if action is None:
            return  # a reaction kbbot never acts on is the platform's business, as anywhere
        same = [(n, b) for n, b in self.screen.buttons_of(found.message_id).items() if b.action_id == action]
        hint = f"  ({reaction} on kbbot's message does nothing: react to an answer (a reply in a question's thread)"
        if same:
            number, button = same[-1]
            hint += f", or press its button: :click {number} ({button.label})"
        self.out(hint + ")")

    def _reply(self, token: str, text: str) -> None:
        question = QUESTION.fullmatch(token)
        if question is not None:
            self._answer(int(question.group(1)), text)
            return
        found = self._message(token)
        if found is None:
            return
        # As on a chat platform, a reply to a message inside a thread goes into that thread.
        root = found.thread_id or found.message_id
        number, message_id = self._new_message(found.place, self.user, root)
        self.out(f"  (message #{number} in the thread of {self.screen.thread_label(root)})")
        self._dispatch(MessagePosted(**self._base(found.place), message_id=message_id,  # type: ignore[arg-type]
                                     thread_id=root, text=text))

    def _answer(self, question_id: int, text: str) -> None:
        """``:reply Q3 TEXT``: a reply in question 3's thread, wherever and whenever it was asked."""
        thread = question_thread(self.sessions, PLATFORM, WORKSPACE, question_id, self.user)
        if thread is None:
            self.out(f"  (no question Q{question_id} here: /kb search shows questions with their numbers)")
            return
        place = self.screen.place_of(thread.conversation_id)
        self.screen.questions.setdefault(thread.message_id, question_id)
        number, message_id = self._new_message(place, self.user, thread.message_id)
        self.out(f"  (message #{number} in the thread of question {question_id} in #{place.name})")
        self._dispatch(MessagePosted(**self._base(place), message_id=message_id,  # type: ignore[arg-type]
                                     thread_id=thread.message_id, text=text))

    def _click(self, number: int) -> None:
        entry = self.screen.board.buttons.get(number)
        if entry is None:
            self.out(f"  (no button [{number}] in this run: the console numbers buttons from 1 every time it starts)")
            return
        button, message_id = entry
        self._dispatch(ButtonClicked(**self._base(), action_id=button.action_id,  # type: ignore[arg-type]
                                     value=button.value, message_id=message_id))


def run(sessions: sessionmaker[Session], settings: Settings, stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout) -> int:
    """Read lines until end of input or ``:quit``; echo them when they come from a script."""

    def out(text: str) -> None:
        print(text, file=stdout, flush=True)

    console = ConsoleSession(sessions, settings, out)
    interactive = stdin.isatty()
    if interactive:
        out("kbbot console: you are alice in #general. Type :help for console commands, /kb help for kbbot's.")
        out("To read the same knowledge base in a browser, run `kbbot web` in another terminal (local sign-in).")
    while True:
        prompt = f"{console.user} in {_place_label(console)}> "
        if interactive:
            try:
                line = input(prompt)
            except EOFError:
                break
        else:
            line = stdin.readline()
            if not line:
                break
            if line.strip():
                out(prompt + line.rstrip("\n"))
        if not console.feed(line):
            break
    return 0


def _place_label(console: ConsoleSession) -> str:
    return "a DM" if console.place.kind == "dm" else f"#{console.place.name}"

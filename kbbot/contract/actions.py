"""Action ids of the buttons the core renders.

Adapters pass them back untouched in :class:`kbbot.contract.events.ButtonClicked`;
the Slack manifest test checks every one of them is handled.
"""

ACCEPT = "kb_accept"
UPVOTE = "kb_upvote"
FLAG_OUTDATED = "kb_flag_outdated"
THIS_ANSWERS_IT = "kb_this_answers_it"
ASK_ANYWAY = "kb_ask_anyway"
ASK_ANONYMOUSLY = "kb_ask_anonymously"
FOLLOW = "kb_follow"
SET_LANGUAGE = "kb_set_language"
TOGGLE_PROMPTS = "kb_toggle_prompts"
TOGGLE_DIGEST = "kb_toggle_digest"
# An expert's invitation to a question (kbbot/routing/), and the asker's way out when nobody answered.
ROUTE_TAKE = "kb_route_take"
ROUTE_DECLINE = "kb_route_decline"
ROUTE_SNOOZE_TODAY = "kb_route_snooze_today"
ROUTE_SNOOZE_TOMORROW = "kb_route_snooze_tomorrow"
ROUTE_CLOSE = "kb_route_close"

# The weekly re-check (issue 19): one click per answer.
STILL_RIGHT = "kb_still_right"
UPDATE_ANSWER = "kb_update_answer"
RETIRE_ANSWER = "kb_retire_answer"


# Erasure's confirmation and the admin panel's buttons (issue 18).
FORGET_CONFIRM = "kb_forget_confirm"
FORGET_CANCEL = "kb_forget_cancel"
ADMIN_SET = "kb_admin_set"
OPEN_FORM = "kb_open_form"
"""A button that opens one of the core's forms (its value names which, :data:`kbbot.contract.forms.KINDS_OF_FORM`):
the adapter asks the core for the form at once (:mod:`kbbot.pipeline.forms`) instead of handing over a click."""

ALL = frozenset({ACCEPT, UPVOTE, FLAG_OUTDATED, THIS_ANSWERS_IT, ASK_ANYWAY, ASK_ANONYMOUSLY, FOLLOW, SET_LANGUAGE,
                 TOGGLE_PROMPTS, TOGGLE_DIGEST, ROUTE_TAKE, ROUTE_DECLINE, ROUTE_SNOOZE_TODAY, ROUTE_SNOOZE_TOMORROW,
                 ROUTE_CLOSE, STILL_RIGHT, UPDATE_ANSWER, RETIRE_ANSWER, FORGET_CONFIRM, FORGET_CANCEL, ADMIN_SET,
                 OPEN_FORM})

# Reactions that mean "accept" (from the asker) and "upvote" (from anyone else). The core's vocabulary is the
# emoji itself; an adapter translates its platform's names for them (``:white_check_mark:``) into these.
ACCEPT_REACTIONS = frozenset({"✅", "✔", "☑"})
UPVOTE_REACTIONS = frozenset({"👍"})

_SKIN_TONES = {chr(code) for code in range(0x1F3FB, 0x1F400)} | {"\ufe0f"}


def reaction_name(raw: str) -> str:
    """One name per reaction whatever its skin tone or variation: 👍🏽 → 👍, ✔️ → ✔."""
    name = raw.strip()
    stripped = "".join(ch for ch in name if ch not in _SKIN_TONES)
    return stripped or name

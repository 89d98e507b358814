"""Action ids of the buttons the core renders.

Adapters pass them back untouched in :class:`kbbot.events.ButtonClicked`;
the Slack manifest test checks every one of them is handled.
"""

ACCEPT = "kb_accept"
UPVOTE = "kb_upvote"
FLAG_OUTDATED = "kb_flag_outdated"
THIS_ANSWERS_IT = "kb_this_answers_it"
ASK_ANYWAY = "kb_ask_anyway"
SET_LANGUAGE = "kb_set_language"
TOGGLE_PROMPTS = "kb_toggle_prompts"
TOGGLE_DIGEST = "kb_toggle_digest"

ALL = frozenset({ACCEPT, UPVOTE, FLAG_OUTDATED, THIS_ANSWERS_IT, ASK_ANYWAY, SET_LANGUAGE, TOGGLE_PROMPTS,
                 TOGGLE_DIGEST})

# Reactions, by Slack name or emoji, that mean "accept" (from the asker) and "upvote" (from anyone else).
ACCEPT_REACTIONS = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check", "✅", "✔️", "☑️"})
UPVOTE_REACTIONS = frozenset({"+1", "thumbsup", "like", "👍"})

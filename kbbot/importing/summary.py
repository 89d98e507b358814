"""What an import did, counted as it goes, and said at the end in a few lines an operator can act on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kbbot.contract.history import REASONS as READ_REASONS

REASONS = {
    **READ_REASONS,
    "direct_messages": "direct or group direct messages (use --include-dms)",
    "unchanged": "already imported, unchanged since",
    "not_a_question": "in a thread that did not start with a question",
    "by_bot": "written by an integration (bot)",
    "asker_reply": "the asker's own follow-up in their thread (not an answer)",
    "empty": "no text (a file or an attachment alone)",
    "write_failed": "could not be written (the error is logged; the rest was imported)",
    "erased_person": "by erased people (the workspace deletes an erased person's knowledge), or in their threads",
}
"""Every reason something was left out, as the summary words it."""
SOURCES_SHOWN = 3
"""Files named per reason in the summary; the count says how many more."""
COUNTED = ("messages", "threads", "questions", "answers", "accepted", "votes", "people_new", "people_deactivated",
           "conversations", "merged", "people_erased", "erased_messages", "erased_reactions")


@dataclass
class Summary:
    """Counts of what was read and written, and of what was left out per reason with the files it came from."""

    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    sources: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    def skip(self, reason: str, source: str, count: int = 1) -> None:
        self.skipped[reason] += count
        shown = self.sources.setdefault(reason, [])
        if source and len(shown) < SOURCES_SHOWN and source not in shown:
            shown.append(source)

    def as_dict(self) -> dict[str, object]:
        """For the import run's record."""
        return {"counts": dict(self.counts), "skipped": dict(self.skipped), "dry_run": self.dry_run}

    def lines(self) -> list[str]:
        """The report printed at the end; a dry run says what *would* have been created."""
        c = self.counts
        verb = "would be created" if self.dry_run else "created"
        out = [
            f"{'Dry run: nothing was written. ' if self.dry_run else ''}Read {c['messages']:,} messages in "
            f"{c['conversations']:,} conversations; {c['threads']:,} threads found.",
            f"Questions {verb}: {c['questions']:,}; answers {verb}: {c['answers']:,} "
            f"({c['accepted']:,} accepted); votes from reactions: {c['votes']:,}.",
            f"People: {c['people_new']:,} new, {c['people_deactivated']:,} marked deactivated."
            + (f" Threads that grew since an earlier import: {c['merged']:,} (only what is new was added)."
               if c["merged"] else ""),
        ]
        if c["people_erased"] or c["erased_messages"] or c["erased_reactions"]:
            # Counted, never named: the point is that kbbot no longer knows who they were.
            out.append(f"Erased people: {c['people_erased']:,} in the export, not created again; "
                       f"{c['erased_messages']:,} of their messages {'would be ' if self.dry_run else ''}imported as "
                       f"a former colleague's; {c['erased_reactions']:,} of their reactions not counted.")
        if self.skipped:
            out.append("Skipped:")
            for reason, count in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])):
                where = self.sources.get(reason) or []
                more = ", …" if count > len(where) and where else ""
                files = f" (e.g. {', '.join(where)}{more})" if where else ""
                out.append(f"  {count:>10,}  {REASONS.get(reason, reason)}{files}")
        else:
            out.append("Nothing was skipped.")
        return out

"""Problems the person running a ``kbbot`` command can fix, as values with a message.

A command of the core, or one a platform adds (``kbbot teams package``),
raises :class:`CommandError` when what it was given cannot be used: a
missing setting, an unknown workspace, a file it cannot write.
``kbbot``'s ``main`` prints the message as one line on standard error and
exits with the error's code, so an operator never reads a traceback for a
mistake they can correct. Errors kbbot causes itself stay exceptions.
"""

from __future__ import annotations


class CommandError(ValueError):
    """What was asked cannot be done; the message says why and, where it can, what to do instead.

    A ``ValueError`` because it is always a value given (an option, a setting,
    a file name) that is wrong, so code that already refused bad values with
    ``ValueError`` keeps its callers working when it raises this instead.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code

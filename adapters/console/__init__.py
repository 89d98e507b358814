"""A local chat in the terminal: the newcomer's first try and the test harness for whole conversations."""

from kbbot_adapters.console.session import ConsoleSession, run

__all__ = ["ConsoleSession", "run"]

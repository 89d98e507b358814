"""The console as a platform: what it can do, so the core words its replies for it.

It is never served (``kbbot serve`` has no console endpoint); ``kbbot`` and
``kbbot console`` start it directly. Its capabilities are the most generous:
people type slash commands and react with ``:react``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kbbot.contract.platform import Capabilities, CommandLine


@dataclass(frozen=True)
class ConsolePlatform:
    name: str = "console"
    title: str = "the console"
    capabilities: Capabilities = field(default_factory=lambda: Capabilities(home_surface=False, forms=False))

    def start_locally(self, settings: Any, sessions: Any) -> int:
        """``kbbot`` with nothing configured, and ``kbbot console``: chat in this terminal."""
        from kbbot_adapters.console.session import run

        return run(sessions, settings)

    def add_commands(self, commands: Any, cli: CommandLine) -> None:
        def console(_args: Any, settings: Any) -> int:
            return self.start_locally(settings, cli.sessions(settings))

        commands.add_parser("console", help="chat with kbbot in this terminal (reads a script from stdin)"
                            ).set_defaults(run=console)

    def configured(self) -> bool:
        """Never served: the console runs in the terminal that starts it."""
        return False

    def attach(self, web_app: Any, settings: Any, sessions: Any) -> Any:
        raise NotImplementedError("the console is not served; run `kbbot console`")

    def outbound(self, settings: Any, sessions: Any) -> Any:
        """Scheduled sends printed to this terminal (``kbbot digest send --now`` without a workspace)."""
        from kbbot_adapters.console.send import ConsoleScreen

        return ConsoleScreen()

    def handler(self, settings: Any, sessions: Any) -> Any:
        raise NotImplementedError("console events are handled as they are typed")


PLATFORM = ConsolePlatform()

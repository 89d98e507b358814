"""The shape the product owner fixed: a platform-neutral core and an installable layout."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "kbbot_adapters")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_imports_no_platform_sdk_or_adapter() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path) if name.split(".")[0] in PLATFORM_SDKS)
        for path in ROOT.joinpath("kbbot").rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names and not path.endswith("cli.py")}
    assert not offenders


def test_the_cli_reaches_adapters_only_lazily() -> None:
    """``kbbot/cli.py`` may start adapters, but only inside functions, never at import time."""
    tree = ast.parse(ROOT.joinpath("kbbot", "cli.py").read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    for node in top_level:
        module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
        assert module.split(".")[0] not in PLATFORM_SDKS, module


def test_importing_the_core_loads_no_platform_sdk() -> None:
    code = ("import sys, kbbot.cli, kbbot.pipeline.dispatch, kbbot.pipeline.inbox, kbbot.services.export;"
            "bad = [m for m in sys.modules if m.split('.')[0] in %r]; print(bad); sys.exit(1 if bad else 0)"
            % (PLATFORM_SDKS,))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {"kbbot": ROOT / "kbbot", **{name: ROOT / path for name, path in config["package-dir"].items()}}
    expected = set()
    for package, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            relative = init.parent.relative_to(folder).parts
            expected.add(".".join((package, *relative)))
    assert expected == listed


def test_adapters_install_under_their_own_name() -> None:
    import kbbot_adapters

    assert Path(kbbot_adapters.__file__).resolve().parent == ROOT / "adapters"

"""The shape the product owner fixed: a platform-neutral core and an installable layout."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents", "kbbot_adapters")


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


PLATFORM_NAMES = ("slack", "teams", "console")
CORE_ONLY = ("kbbot.store", "kbbot.services")


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the string constants that are docstrings: prose may give a platform as an example."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        # An attribute's docstring: a bare string right after an assignment.
        for field in ("body", "orelse"):
            statements = getattr(node, field, None)
            for statement in statements if isinstance(statements, list) else []:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                        and isinstance(statement.value.value, str):
                    found.add(id(statement.value))
    return found


def _platform_names_in(path: Path) -> list[str]:
    """Platform names the code itself uses: in identifiers and string values, not in prose."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        words: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            words.append(node.value)
        elif isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            words.append(node.name)
        elif isinstance(node, ast.arg):
            words.append(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            words.extend(alias.asname or alias.name for alias in node.names)
            words.append(getattr(node, "module", None) or "")
        hits.extend(f"{node.__class__.__name__} {word!r} (line {getattr(node, 'lineno', '?')})"
                    for word in words if any(name in word.casefold() for name in PLATFORM_NAMES))
    return hits


def test_no_file_of_the_core_names_a_platform() -> None:
    """The core asks what a platform can do (kbbot/contract/platform.py), never which one it is."""
    offenders = {str(path.relative_to(ROOT)): found for path in sorted(ROOT.joinpath("kbbot").rglob("*.py"))
                 if (found := _platform_names_in(path))}
    assert not offenders, offenders


def test_the_check_for_platform_names_finds_them() -> None:
    sample = ROOT / "tests" / "core" / "_platform_name_sample.py"
    sample.write_text('"""Slack is fine in prose."""\nWORDS_ONLY = {"teams"}\n\n\ndef to_slack() -> None:\n    pass\n')
    try:
        found = _platform_names_in(sample)
    finally:
        sample.unlink()
    assert len(found) == 2 and any("'teams'" in hit for hit in found) and any("'to_slack'" in hit for hit in found)


def test_adapters_reach_the_core_only_through_its_contract() -> None:
    """No adapter reads or writes kbbot's tables or calls a service: they translate, render and send."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imports(path) if name.startswith(CORE_ONLY))
        for path in ROOT.joinpath("adapters").rglob("*.py")
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_every_adapter_names_its_roles_alike() -> None:
    """The same file names for the same roles: a reader of one adapter can find their way in another."""
    for platform in ("slack", "teams"):
        folder = ROOT / "adapters" / platform
        assert {"platform.py", "translate.py", "render.py", "send.py", "settings.py"} <= {
            path.name for path in folder.glob("*.py")}, platform
    console = {path.name for path in (ROOT / "adapters" / "console").glob("*.py")}
    assert {"platform.py", "render.py", "send.py"} <= console

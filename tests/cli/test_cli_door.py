"""The command line goes through one door: it imports the application layer, never the store,
the outbox or the flow beneath it (not even lazily inside a command); errors map to exit codes in
one table; the README's Roles table is the one the code enforces."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from livepost import errors
from livepost.app.roles_table import roles_table
from livepost.cli.errors import EXIT_CODES, exit_code
from livepost.errors import ExitCode, LivepostError

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "livepost" / "cli"
FORBIDDEN = (
    "livepost.store",
    "livepost.outbox",
    "sqlalchemy",
    "alembic",
    "livepost.plan",
    "livepost.publish",
    "livepost.archive",
    "livepost.schedule",
    "livepost.cards",
    "livepost.compose",
    "livepost.notes",
    "livepost.bluesky",
)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at the top or inside a function, TYPE_CHECKING included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_cli_imports_only_the_application_layer() -> None:
    shortcuts = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(CLI.glob("*.py"))
        for line, module in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert shortcuts == []


def test_every_error_type_has_its_exit_code_in_the_one_table() -> None:
    types = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, LivepostError)
    ]
    for error_type in types:  # the table agrees with what each type declares for other callers
        found = next(EXIT_CODES[c] for c in error_type.__mro__ if c in EXIT_CODES)
        assert found == error_type.exit_code, error_type
    assert EXIT_CODES[errors.NotAllowed] == ExitCode.FORBIDDEN == 7
    assert ExitCode.FORBIDDEN != ExitCode.USAGE


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.NotAllowed("Ann is a reporter: a reporter may not pause or resume sending"), 7),
        (errors.NotFound("no post 99"), 2),
        (errors.Conflict("the name 'Officer' is reserved"), 2),
        (errors.ScheduleError("talks.csv", "bad", line=3), 4),
        (errors.ConcurrentChange("changed meanwhile"), 5),
        (errors.NetworkError("unreachable"), 6),
        (errors.ConfigError("no handle"), 3),
        (LivepostError("a bug"), 1),
    ],
)
def test_errors_map_to_their_exit_codes(error: LivepostError, code: int) -> None:
    assert exit_code(error) == code


def test_lower_layers_errors_take_their_code_from_the_table() -> None:
    from livepost.cards.render import CardError
    from livepost.outbox.queries import OutboxError
    from livepost.publish.lock import WriterBusy
    from livepost.store.lock import AlreadyRunning

    assert exit_code(CardError("a quote card needs --text")) == ExitCode.USAGE
    assert exit_code(OutboxError("post 3 is already posted")) == ExitCode.USAGE
    assert exit_code(WriterBusy("busy")) == ExitCode.CONFIG
    assert exit_code(AlreadyRunning("running", holder="pid 1")) == ExitCode.CONFIG


def test_the_readme_documents_exit_code_7() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\| 7 \| not allowed: ", readme, re.MULTILINE)


def test_the_readmes_roles_table_is_the_one_the_code_enforces() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- roles-table: [^>]*-->\n(.*?)<!-- /roles-table -->", readme, re.DOTALL)
    assert found, "the README has no generated Roles table"
    assert found.group(1) == roles_table(), "run: python -m livepost.app.roles_table"
    assert "\n#### Roles\n" in readme

"""Domain errors: raised in the core, turned into a message and an exit code once, at the CLI edge.

Every message says what went wrong *and* what to do about it, because the person reading it is a
comms officer at the back of a conference room, not the author of the code.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    ERROR = 1  # an unexpected failure (a bug: please report it)
    USAGE = 2  # wrong command-line usage (typer/click's own code); an input over a hard limit
    CONFIG = 3  # settings, event folder or credentials
    INPUT = 4  # a schedule, notes or other input file is invalid
    STORE = (
        5  # the database cannot be opened, migrated or written; an output file cannot be written
    )
    NETWORK = 6  # Bluesky or another service cannot be reached
    FORBIDDEN = 7  # the person asking may not do this (their role, rooms or post): nothing changed


class LivepostError(Exception):
    """Base of every error livepost reports to a user."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class UsageError(LivepostError):
    """What was asked cannot be done as asked (a quote card without a quote...)."""

    exit_code = ExitCode.USAGE


class ConfigError(LivepostError):
    """Settings, the event folder or credentials are missing or wrong."""

    exit_code = ExitCode.CONFIG


class InputError(LivepostError):
    """An input file is invalid. Names the file and, where known, the line or the field.

    Rendered as ``path, line 12: message`` or ``path: field.path: message``.
    """

    exit_code = ExitCode.INPUT

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.detail = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if field:
            where += f": {field}"
        super().__init__(f"{where}: {message}", hint=hint)


class ScheduleError(InputError):
    """A programme file cannot be read."""


class NotesError(InputError):
    """A notes file cannot be read."""


class InputTooLarge(InputError):
    """An input (a workbook, a programme at a URL) goes over one of livepost's hard limits
    (rows, columns, cells, bytes, compression ratio): refused before it can exhaust memory.
    The message names the file, the limit and what was found; exit 2, like an input refused
    at the command line."""

    exit_code = ExitCode.USAGE


class StoreError(LivepostError):
    """The database cannot be opened, migrated or written."""

    exit_code = ExitCode.STORE


class ConcurrentChange(StoreError):
    """Someone else changed the same row between our read and our write: nothing was changed."""


class OutputError(LivepostError):
    """A file livepost writes for people (a report, a card, an upload) cannot be written."""

    exit_code = ExitCode.STORE


class NetworkError(LivepostError):
    """A remote service (Bluesky, a web page) cannot be reached or refused us."""

    exit_code = ExitCode.NETWORK


class NotAllowed(LivepostError):
    """The person asking may not do this (their role, their rooms, not their post). Raised by
    the application layer before it reads or writes anything: 403 on the web, exit 7 on the CLI."""

    exit_code = ExitCode.FORBIDDEN


class NotFound(LivepostError):
    """What was asked for does not exist (a post id, a wall post, a team member): 404 on the web."""

    exit_code = ExitCode.USAGE


class Conflict(LivepostError):
    """The request clashes with what is there (a post already sent, a name taken): 409."""

    exit_code = ExitCode.USAGE


def one_line(exc: BaseException) -> str:
    """One line about what went wrong, for a log or ``status``: ours as we said it, anything
    else with its type (a bug's first line, never its traceback)."""
    if isinstance(exc, LivepostError):
        return exc.message
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__

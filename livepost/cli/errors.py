"""The command line's one table of error types and exit codes (documented in the README).

Every :class:`~livepost.errors.LivepostError` a command lets through is printed and mapped here,
once: the most specific type in the table that the error is an instance of decides the code.
A refusal for lack of rights (:class:`~livepost.errors.NotAllowed`) has its own code, 7, apart
from usage's 2, so a script can tell "not yours to do" from "wrongly asked".
"""

from __future__ import annotations

from livepost.errors import (
    ConfigError,
    Conflict,
    ExitCode,
    InputError,
    InputTooLarge,
    LivepostError,
    NetworkError,
    NotAllowed,
    NotFound,
    OutputError,
    StoreError,
    UsageError,
)

#: error type -> exit code; an error takes the code of the first of its classes found here
EXIT_CODES: dict[type[LivepostError], ExitCode] = {
    UsageError: ExitCode.USAGE,
    NotFound: ExitCode.USAGE,
    Conflict: ExitCode.USAGE,
    InputTooLarge: ExitCode.USAGE,  # over a hard limit: refused as a usage error
    NotAllowed: ExitCode.FORBIDDEN,
    ConfigError: ExitCode.CONFIG,
    InputError: ExitCode.INPUT,
    StoreError: ExitCode.STORE,
    OutputError: ExitCode.STORE,
    NetworkError: ExitCode.NETWORK,
    LivepostError: ExitCode.ERROR,
}


def exit_code(error: LivepostError) -> ExitCode:
    """The exit code for ``error``: its most specific class in :data:`EXIT_CODES`."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return ExitCode.ERROR

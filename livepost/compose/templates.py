"""Post templates: the event's ``templates/`` folder first, livepost's built-in ones second.

Plain-text Jinja2 (no HTML escaping: an ampersand in a talk title must stay an ampersand) with
``StrictUndefined``, so a misspelt variable is an error naming the template file and line instead
of a post that silently says nothing.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from livepost.errors import InputError, LivepostError
from livepost.resources import builtin_dir, template_environment

POST_KINDS = (
    "announcement",
    "correction",
    "talk_starting",
    "snippet",
    "wrapup",
    "day_opening",
    "day_closing",
    "free",
)


def builtin_templates_dir() -> Path:
    """The default templates: inside the wheel (``_data``) or the repository's ``templates/``."""
    return builtin_dir("templates")


def _clock(value: datetime) -> str:
    """``14:30``: the house style for times in posts."""
    return value.strftime("%H:%M")


@lru_cache(maxsize=32)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = template_environment(dirs, autoescape=False)  # posts are plain text
    env.filters["clock"] = _clock
    return env


def environment(template_dirs: Sequence[Path] = ()) -> jinja2.Environment:
    """The environment for these override folders (cached: templates compile once)."""
    return _environment(tuple(Path(d) for d in template_dirs))


def _error_line(exc: BaseException, filename: str | None) -> int | None:
    """The template line a render error happened on, from Jinja's rewritten traceback."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if filename and frame.filename == filename:
            line = frame.lineno
    return line


def render(name: str, context: Mapping[str, Any], template_dirs: Sequence[Path] = ()) -> str:
    """Render template ``name`` (e.g. ``posts/announcement.txt.j2``) with ``context``.

    Raises :class:`InputError` naming the template file and line on an unknown variable or a
    syntax error, and :class:`LivepostError` when no folder has the template.
    """
    env = environment(template_dirs)
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            exc.filename or name,
            f"template syntax error: {exc.message}",
            line=exc.lineno,
            hint="Fix the template; see docs/templates.md for the syntax and the variables.",
        ) from None
    except jinja2.TemplateNotFound:
        searched = [str(d) for d in template_dirs] + [str(builtin_templates_dir())]
        raise LivepostError(
            f"No template {name} in {', '.join(searched)}.",
            hint="Use one of the post kinds: " + ", ".join(POST_KINDS) + ".",
        ) from None
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        raise InputError(
            template.filename or name,
            f"template error: {exc.message}",
            line=_error_line(exc, template.filename),
            hint="The variables a template can use are listed in docs/templates.md.",
        ) from None
    except Exception as exc:  # a template's own mistake: 1/0, a filter on the wrong type
        raise InputError(
            template.filename or name,
            f"template error: {exc}",
            line=_error_line(exc, template.filename),
        ) from None

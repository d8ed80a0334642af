"""Built-in templates and assets, and the one Jinja2 loader chain every template goes through.

The wheel force-includes the repository's ``templates/`` and ``assets/`` as
``livepost/_data/templates`` and ``livepost/_data/assets`` (see pyproject.toml); a checkout or an
editable install has them next to the package. An event's own ``templates/`` folder is searched
first, so organisers override a template by copying it there (datasette's ``ChoiceLoader``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2

import livepost


def builtin_dir(name: str) -> Path:
    """The built-in ``templates`` or ``assets`` folder."""
    package = Path(livepost.__file__).resolve().parent
    packaged = package / "_data" / name
    return packaged if packaged.is_dir() else package.parent / name


def template_environment(dirs: Sequence[Path], *, autoescape: bool) -> jinja2.Environment:
    """Templates from ``dirs`` first, then the built-in ones; an unknown variable is an error.

    ``autoescape`` is off for posts (plain text) and on for HTML (reports, the console).
    """
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d)) for d in dirs]
    loaders.append(jinja2.FileSystemLoader(str(builtin_dir("templates"))))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
    )

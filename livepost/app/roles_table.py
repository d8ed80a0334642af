"""The README's "Roles" table, generated from :data:`~livepost.app.permissions.ROLE_ACTIONS`
(and its :data:`~livepost.app.permissions.SCOPES`), so the documentation cannot drift from what
the application layer enforces (a test compares the two).

    python -m livepost.app.roles_table
"""

from __future__ import annotations

from livepost.app.permissions import ROLE_ACTIONS, SCOPES, Action
from livepost.model.actors import Role

#: the columns, from the fewest rights to the most
ROLES = (Role.VIEWER, Role.REPORTER, Role.OFFICER)


def _cell(role: Role, action: Action) -> str:
    if action not in ROLE_ACTIONS[role]:
        return "no"
    scope = SCOPES.get(action) if role == Role.REPORTER else None
    return f"yes, {scope}" if scope else "yes"


def roles_table() -> str:
    """A Markdown table: one row per action, one column per role."""
    lines = [
        "| action | " + " | ".join(f"`{role.value}`" for role in ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for action in Action:
        cells = " | ".join(_cell(role, action) for role in ROLES)
        lines.append(f"| {action.value} | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(roles_table(), end="")

"""How a person is named to others: their name and the identity it stands for."""

from __future__ import annotations


def identity_label(name: str | None, identity: str | None) -> str:
    """``Ann (member 3)``, ``jane (owner)``, ``daemon (daemon)``: names can repeat or mislead
    ("Officer"), the identity cannot, so both are shown."""
    if not identity:
        return name or ""
    kind, _, number = identity.partition(":")
    return f"{name or kind} ({kind} {number})" if number else f"{name or kind} ({kind})"

"""Small helpers for the words seqimg prints."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 window``, ``2 windows``: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"

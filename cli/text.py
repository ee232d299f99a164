"""Text from data or a pack, made safe for a terminal: nothing in it is markup or a control code.

rich reads ``[...]`` in printed strings as markup (``[/]`` with nothing open is an error, ``[link=…]``
a hyperlink), and the terminal obeys escape sequences (``\\x1b[2J`` clears the screen). Every value
from a portfolio, a pack or a case file goes through ``safe`` (in a string with markup) or a
``SafeTable`` cell; only jixiao's own strings carry markup.
"""

from __future__ import annotations

import re

from rich.markup import escape
from rich.table import Table
from rich.text import Text

# C0 controls but tab and newline, DEL and C1 controls: shown as \x.. escapes. The bidirectional
# controls (marks, embeddings, overrides, isolates: U+061C, U+200E–F, U+202A–E, U+2066–9) as \u....:
# an override in a name makes the terminal draw the rest of the line, amounts included, reversed.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def controls(text: str) -> str:
    """Control characters shown as ``\\x1b`` and the like, never sent to the terminal."""
    return CONTROL.sub(_escape, text)


def safe(value: object) -> str:
    """A value for a string printed with markup: control characters and markup escaped."""
    return escape(controls(str(value)))


def styled(value: object, style: str) -> Text:
    """A value shown in a style, its text taken literally."""
    return Text(controls(str(value)), style=style)


class SafeTable(Table):
    """A table whose string cells are plain text (``Text`` cells keep their styles)."""

    def add_row(self, *renderables, **kwargs):
        return super().add_row(*(Text(controls(r)) if isinstance(r, str) else r for r in renderables), **kwargs)

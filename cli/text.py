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

# C0 controls but tab and newline, DEL and C1 controls: shown as \x.. escapes
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def controls(text: str) -> str:
    """Control characters shown as ``\\x1b`` and the like, never sent to the terminal."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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

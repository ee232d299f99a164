"""The files of a new plugin package, as written by ``jixiao new plugin NAME``.

They are real files under ``core/authoring/templates/plugin/`` (read with ``importlib.resources``), with
``{{name}}``-style placeholders replaced as plain text — nothing in them is evaluated. A folder or
file named ``__pkg__`` / ``__example__`` takes the package's / example pack's name; ``.tmpl`` is
dropped. docs/authoring-plugins.md shows the generated rule, and a test keeps the two equal.
"""

from __future__ import annotations

from importlib.resources import files as resource_files
from importlib.resources.abc import Traversable

TEMPLATE = "plugin"


def _walk(folder: Traversable, prefix: str = ""):
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".tmpl"):
            yield f"{prefix}{entry.name[:-len('.tmpl')]}", entry.read_text(encoding="utf-8")


def files(name: str, pkg: str, cls: str, stage: str, stage_zh: str) -> dict[str, str]:
    """Relative path → text of every file of the package."""
    values = {"name": name, "pkg": pkg, "cls": cls, "stage": stage, "stage_zh": stage_zh,
              "dist": f"jixiao-{name.replace('_', '-')}", "example": f"{name}_example"}
    out = {}
    for rel, text in _walk(resource_files("jixiao.core.authoring").joinpath("templates", TEMPLATE)):
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        out[rel.replace("__pkg__", pkg).replace("__example__", values["example"])] = text
    return out

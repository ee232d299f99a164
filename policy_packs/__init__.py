"""The policy packs shipped with jixiao, as TOML data files (never code)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def builtin_pack_files() -> list[Path]:
    root = importlib.resources.files(__name__)
    return sorted(Path(str(f)) for f in root.iterdir() if f.name.endswith(".toml"))

"""Extract a documented walkthrough (a bash block after <!-- walkthrough: NAME -->) and run it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def block(doc: str, name: str) -> str:
    text = (DOCS / doc).read_text(encoding="utf-8")
    match = re.search(rf"<!-- walkthrough: {name} -->\s*```bash\n(.*?)```", text, re.S)
    assert match, f"no walkthrough {name!r} in docs/{doc}"
    return match.group(1)


def commands(script: str) -> int:
    """How many commands a reader types (heredoc bodies are part of their command)."""
    count, in_heredoc = 0, None
    for line in script.splitlines():
        if in_heredoc:
            if line.strip() == in_heredoc:
                in_heredoc = None
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            count += 1
            m = re.search(r"<<'?(\w+)'?", line)
            in_heredoc = m.group(1) if m else None
    return count


def run(script: str, cwd: Path, bindir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JIXIAO_TRACE")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)

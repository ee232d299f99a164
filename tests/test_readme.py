"""The README's "Using it" commands run as written, in a fresh folder, after `jixiao demo`."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def using_it_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Using it\n.*?```bash\n(.*?)```", text, re.S).group(1)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_readme_using_it_commands_run_as_written(tmp_path):
    jixiao = Path(sys.executable).parent / "jixiao"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("JIXIAO_PACKS", None)

    def sh(cmd: str | list[str]) -> subprocess.CompletedProcess:
        args = shlex.split(cmd) if isinstance(cmd, str) else cmd
        assert args[0] == "jixiao", cmd
        return subprocess.run([str(jixiao), *args[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)

    assert sh("jixiao demo").returncode == 0
    commands = using_it_commands()
    assert len(commands) >= 10
    for cmd in commands:
        res = sh(cmd)
        allowed = {0, 1} if cmd[1] in ("diff", "reconcile") else {0}  # 1 = decisions changed, records differ
        assert res.returncode in allowed, f"{cmd}\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}"
        assert "Traceback" not in res.stderr, cmd

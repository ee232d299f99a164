from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli.main import main
from jixiao.core.registry import Registry

HEADER = "项目编码,项目名称,主管部门,预算年度,资金性质,项目类别,预算金额(元),已支出金额(元),是否新增,是否重大,绩效目标状态,事前评估结论\n"


@pytest.fixture
def registry() -> Registry:
    """Built-in plugins and packs only: a fresh registry per test, no entry points."""
    return Registry.discover(use_entry_points=False)


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
        return path

    return _write


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return invoke


def project_rows(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


AS_OF = dt.date(2025, 3, 31)

"""Fixtures only; shared builders and constants are in tests_helpers.py, which tests import."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli.main import main
from jixiao.core.registry import Registry

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

"""The row streamer behind ``compare --format json`` writes, byte for byte, the document that
``json.dumps`` of its head and polars' ``struct.json_encode`` of each row make: whatever the text
(quotes, backslashes, newlines, control characters, Chinese, emoji), nulls, nested structs and
lists, the number of chunks, and the kind of stream (a file, a text stream without bytes under it)."""

from __future__ import annotations

import datetime as dt
import io
import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.outputs import json_rows

HEAD = {"schema": "t/1", "名称": "南昌 \"市\"", "n": [1, None, {"a": "b"}]}


def reference(head: dict, key: str, frame: pl.DataFrame, row: pl.Expr) -> str:
    """The document as it was written before: each row's json_encode, joined by Python."""
    text = json.dumps(head, ensure_ascii=False, indent=2)[:-2] + f',\n  {json.dumps(key)}: ['
    items = frame.select(row.struct.json_encode()).to_series().to_list()
    return text + ("\n    " + ",\n    ".join(items) + "\n  ]\n}\n" if items else "]\n}\n")


def rows_expr() -> pl.Expr:
    return pl.struct("id", "name", pl.struct(pl.col("fen").alias("effect_fen"),
                                             pl.col("day").dt.strftime("%Y-%m-%d").alias("deadline"),
                                             pl.col("grade").cast(pl.String)).alias("outcome"),
                     pl.col("codes").str.split(",").list.eval(pl.element().filter(pl.element() != "")).alias("codes"))


def frame_of(names: list[str | None]) -> pl.DataFrame:
    n = len(names)
    return pl.DataFrame({
        "id": [f"P{i:04d}" for i in range(n)], "name": names,
        "fen": [None if i % 4 == 0 else (-1) ** i * i * 10_001 for i in range(n)],
        "day": [None if i % 3 else dt.date(2025, 1 + i % 12, 1 + i % 28) for i in range(n)],
        "grade": pl.Series([None if i % 5 == 0 else "优良中差"[i % 4] for i in range(n)], dtype=pl.Categorical),
        "codes": ["" if i % 2 else "gate,effect"[: 4 + i % 8] for i in range(n)],
    }, schema_overrides={"name": pl.String, "fen": pl.Int64, "day": pl.Date, "codes": pl.String})


def written(frame: pl.DataFrame, kind: str) -> str:
    if kind == "text":
        out = io.StringIO()
        json_rows.stream_json(out, HEAD, "projects", frame, rows_expr())
        return out.getvalue()
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    json_rows.stream_json(out, HEAD, "projects", frame, rows_expr())
    out.flush()
    return raw.getvalue().decode("utf-8")


TRICKY = ["普通项目", 'a "quoted" \\ back\\slash', "line\nbreak\r\ttab", "\x00\x01\x1f\x7f", "😀 emoji 𠀀",
          "\u2028\u2029", "/slash/", "", None, "é" * 300]


@pytest.mark.parametrize("chunk", [1, 3, 100_000])
@pytest.mark.parametrize("kind", ["bytes", "text"])
def test_the_same_bytes_as_each_row_encoded_and_joined(monkeypatch, chunk, kind):
    monkeypatch.setattr(json_rows, "CHUNK", chunk)
    frame = frame_of(TRICKY * 3)
    expected = reference(HEAD, "projects", frame, rows_expr())
    assert written(frame, kind) == expected
    assert json.loads(expected)["projects"][2]["name"] == "line\nbreak\r\ttab"


@pytest.mark.parametrize("kind", ["bytes", "text"])
def test_no_rows(kind):
    frame = frame_of([]).head(0)
    assert written(frame, kind) == reference(HEAD, "projects", frame, rows_expr())
    assert json.loads(written(frame, kind))["projects"] == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), max_size=12), st.integers(1, 5))
def test_any_text_any_chunks(names, chunk):
    json_rows.CHUNK, saved = chunk, json_rows.CHUNK
    try:
        frame = frame_of(names)
        assert written(frame, "bytes") == reference(HEAD, "projects", frame, rows_expr())
    finally:
        json_rows.CHUNK = saved


def test_a_stream_of_another_encoding_gets_text():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-16", newline="")
    frame = frame_of(TRICKY)
    json_rows.stream_json(out, HEAD, "projects", frame, rows_expr())
    out.flush()
    assert raw.getvalue().decode("utf-16") == reference(HEAD, "projects", frame, rows_expr())

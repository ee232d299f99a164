"""A stable hash of texts for seeded samples: the same numbers in every version and on every
machine, so a sample drawn from a seed can be drawn again (the ``spot_check`` rule)."""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1).astype(np.uint32)
    return table


_CRC_TABLE = _crc_table()


def crc32_each(prefix: bytes, texts: pl.Series) -> np.ndarray:
    """``zlib.crc32(prefix + text.encode())`` of every text, as an array of uint32 (a column of
    them: ``pl.Series("key", crc32_each(...), dtype=pl.UInt32)``): a hash that never changes, for
    a seeded sample (``prefix`` carries the seed). All texts are hashed at once, one byte position
    at a time, instead of one Python call per text."""
    lengths = texts.str.len_bytes().to_numpy().astype(np.int64)
    data = np.frombuffer(texts.str.join("").item().encode(), dtype=np.uint8) if texts.len() else np.empty(0, np.uint8)
    starts = np.cumsum(lengths) - lengths
    state = np.full(texts.len(), zlib.crc32(prefix) ^ 0xFFFFFFFF, dtype=np.uint32)
    for j in range(int(lengths.max()) if texts.len() else 0):
        live = np.flatnonzero(lengths > j)
        s = state[live]
        state[live] = _CRC_TABLE[(s ^ data[starts[live] + j]) & 0xFF] ^ (s >> 8)
    return state ^ np.uint32(0xFFFFFFFF)

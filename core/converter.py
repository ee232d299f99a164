"""The one cattrs converter: every structure hook jixiao uses, unknown keys forbidden."""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal
from functools import cache

import attrs
import cattrs
import cattrs.v

from jixiao.core.money import PACK_INT_DIGITS, to_decimal


def _structure_decimal(value: object, _type: type) -> Decimal:
    return to_decimal(value)


def _structure_date(value: object, _type: type) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError(f"应为日期（如 2024-01-31），实为 {value!r}")


def _structure_str(value: object, _type: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"应为文本，实为 {value!r}")
    return value


def _structure_int(value: object, _type: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"应为整数，实为 {value!r}")
    if abs(value) >= 10 ** PACK_INT_DIGITS:
        raise ValueError(f"{value} 过大（规则包中的数须小于 10^{PACK_INT_DIGITS}）")
    return value


def _structure_bool(value: object, _type: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"应为 true 或 false，实为 {value!r}")
    return value


@cache
def make_converter() -> cattrs.Converter:
    """Built once; pack files and plugin parameter classes are all structured through it.

    Scalars are strict (a string where a number belongs is an error, not a silent conversion),
    except Decimal, which accepts a TOML number or a string such as "0.10" and is always exact.
    """
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    return conv


def _format_exception(exc: BaseException, type_: type | None) -> str:
    """cattrs' wording, keeping what cattrs drops: the reason a structure hook or a ``Params``
    validator gave (which names the value), and for an unknown key the closest known one."""
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        text = f"未知的键 {', '.join(sorted(exc.extra_fields))}"
        known = [f.name for f in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        extra = sorted(exc.extra_fields)
        close = {k: c[0] for k in extra if (c := difflib.get_close_matches(k, known, n=1, cutoff=0.6))}
        hints = ([repr(close[extra[0]])] if len(extra) == 1 and close
                 else [f"{k!r} → {c!r}" for k, c in close.items()])
        return text + (f"；是否要写 {', '.join(hints)}？" if hints else "") + (
            f"；可用的键：{', '.join(known)}" if known and not hints else "")
    if isinstance(exc, ArithmeticError):  # decimal.InvalidOperation and the like, from a validator
        return "取值无效（无法精确计算）"
    reason = str(exc) if exc.args and isinstance(exc.args[0], str) else ""
    if isinstance(exc, (ValueError, TypeError)) and reason and "object is not iterable" not in reason:
        return f"取值无效：{reason}"
    if isinstance(exc, KeyError):
        return "缺少必填的键"
    text = cattrs.v.format_exception(exc, type_)
    for en, zh in _CATTRS_ZH:
        if text.startswith(en):
            return zh + text[len(en):]
    return text


# cattrs' own wording, in the order tried (the rest of its text, a type name, is kept).
_CATTRS_ZH = (("required field missing", "缺少必填的键"), ("invalid value for type, expected ", "类型不符，应为 "),
              ("expected a mapping", "应为表（{ 键 = 值 }）"), ("expected an iterable", "应为列表（[ … ]）"),
              ("invalid type", "类型不符"))


def error_messages(exc: Exception, path: str) -> list[str]:
    """cattrs errors as ``message @ $.key.path`` lines (``core.pack.key_problems`` places them by key)."""
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError, cattrs.BaseValidationError)):
        return list(cattrs.transform_error(exc, path=path, format_exception=_format_exception))
    return [f"{exc} @ {path}"]

"""The one cattrs converter: every structure hook jixiao uses, unknown keys forbidden."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

import cattrs

from jixiao.core.money import to_decimal


def _structure_decimal(value: object, _type: type) -> Decimal:
    return to_decimal(value)


def _structure_date(value: object, _type: type) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise TypeError(f"expected a date such as 2024-01-31, got {value!r}")


def _structure_str(value: object, _type: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _structure_int(value: object, _type: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _structure_bool(value: object, _type: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
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
    """cattrs' wording, except that a parameter class's own check (a ValueError raised with a
    reason) says its reason instead of a bare "invalid value"."""
    from cattrs.v import format_exception

    if type(exc) is ValueError and str(exc):
        return f"invalid value ({exc})"
    return format_exception(exc, type_)


def error_messages(exc: Exception, path: str) -> list[str]:
    """cattrs errors as ``message @ $.key.path`` lines."""
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError, cattrs.BaseValidationError)):
        return list(cattrs.transform_error(exc, path=path, format_exception=_format_exception))
    return [f"{exc} @ {path}"]

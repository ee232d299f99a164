"""Clause inventories: every clause of a source document, and what a pack does with each.

A source of a pack may name a clause inventory, ``clauses = "sources/<key>.toml"`` (a path
relative to the pack file that declares the source). The inventory lists the document's clauses in
its own order, each with its number as the document writes it, its title and its text quoted from
the document (``docs/authoring-packs.md``, "Clause coverage").

Clause references (a rule's ``citation.clause``, a parameter's ``cite``, a ``not_modelled`` or
``out_of_scope`` entry) are matched against the inventory:

- Half-width brackets count as full-width ones: ``二(三)`` is ``二（三）``.
- Several clauses are separated by ``、`` (``第三十八条、第三十九条``); ``A至B`` (or ``A–B``)
  is every clause from A to B in the document's order.
- A reference finer than the inventory is inside the clause that contains it: ``第十条（二）`` is
  in ``第十条``, when ``第十条`` has no sub-clauses of its own in the inventory.
- A clause's sub-clauses are those whose number extends it (``二（二）4`` under ``二（二）``,
  ``四（七）`` under ``四``) or, for documents that number items straight through (Nanchang
  （一）…（二十）, Tianyuan 第一条…第四十五条), those after a section or chapter heading until the
  next one.
- A rule's citation accounts for the clause it names (or the one it is inside). A ``not_modelled``
  or ``out_of_scope`` entry accounts for the clause it names and for those of its sub-clauses that
  nothing more specific accounts for (no rule cites them and no entry names them).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs
import tomli

from jixiao.core.converter import error_messages, make_converter
from jixiao.core.errors import Problem
from jixiao.core.registry import closest

if TYPE_CHECKING:
    from jixiao.core.pack import Pack, SourceSpec
    from jixiao.core.rule import Citation

UNVERIFIED = "（未核实）"
NO_TEXT = "条文未收录"
Scope = Literal["department", "government", "individual"]
SCOPE_ZH = {"department": "部门层面", "government": "政府层面", "individual": "个人层面"}


@attrs.frozen(kw_only=True)
class Clause:
    number: str
    title: str | None = None
    text: str | None = None  # quoted from the document; None when the document's text is not at hand
    heading: bool = False  # a section or chapter heading with no text of its own: nothing to account for
    verified: bool | None = None  # None: as the inventory says
    note: str | None = None  # what the clause is taken to say, when its text is not at hand (not a quote)


@attrs.frozen(kw_only=True)
class InventoryMeta:
    doc_no: str | None = None
    title: str | None = None
    verified: bool = True  # false: numbers (and titles) not checked against the document itself
    note: str | None = None


@attrs.frozen(kw_only=True)
class InventoryFile:
    inventory: InventoryMeta = attrs.field(factory=InventoryMeta)
    clauses: list[Clause] = attrs.field(factory=list)


@attrs.frozen
class Inventory:
    path: Path
    meta: InventoryMeta
    clauses: tuple[Clause, ...]
    index: dict[str, int]  # normalised number → position
    parent: tuple[int | None, ...]  # position of each clause's parent

    def clause(self, number: str) -> Clause | None:
        i = self.index.get(norm(number))
        return None if i is None else self.clauses[i]

    def verified(self, c: Clause) -> bool:
        return self.meta.verified if c.verified is None else c.verified

    def children(self, i: int) -> list[int]:
        return [j for j, p in enumerate(self.parent) if p == i]

    def subtree(self, i: int) -> list[int]:
        out, todo = [], [i]
        while todo:
            j = todo.pop()
            out.append(j)
            todo += self.children(j)
        return sorted(out)

    def required(self) -> list[Clause]:
        """The clauses a pack must account for: every one but bare headings."""
        return [c for c in self.clauses if not c.heading]


def norm(number: str) -> str:
    return number.strip().replace("(", "（").replace(")", "）").replace(" ", "")


def _extends(child: str, parent: str) -> bool:
    """``child`` is a sub-number of ``parent``: 二（二）4 of 二（二）, 四（七） of 四, 第十条（二） of 第十条."""
    if len(child) <= len(parent) or not child.startswith(parent):
        return False
    rest = child[len(parent):]
    return rest[0] == "（" or (rest[0].isdigit() and not parent[-1].isdigit())


def _build(path: Path, spec: InventoryFile) -> Inventory:
    numbers = [norm(c.number) for c in spec.clauses]
    parent: list[int | None] = []
    heading: int | None = None
    for i, n in enumerate(numbers):
        up = next((j for j in range(i - 1, -1, -1) if _extends(n, numbers[j])), None)
        if up is None and not spec.clauses[i].heading:
            up = heading
        if spec.clauses[i].heading and up is None:
            heading = i
        parent.append(up)
    return Inventory(path, spec.inventory, tuple(spec.clauses), {n: i for i, n in enumerate(numbers)}, tuple(parent))


@lru_cache(maxsize=64)
def _read(path: str, _stamp: tuple[int, int]) -> tuple[Inventory | None, tuple[Problem, ...]]:
    p = Path(path)
    try:
        data = tomli.loads(p.read_bytes().decode("utf-8"))
    except OSError as exc:
        return None, (Problem(path, f"cannot read the clause inventory: {exc.strerror}"),)
    except UnicodeDecodeError:
        return None, (Problem(path, "a clause inventory must be UTF-8 text"),)
    except tomli.TOMLDecodeError as exc:
        return None, (Problem(path, f"TOML syntax error at line {exc.lineno}, column {exc.colno}: "
                                    f"{getattr(exc, 'msg', str(exc))}"),)
    try:
        spec = make_converter().structure(data, InventoryFile)
    except Exception as exc:
        return None, tuple(Problem(path, m) for m in error_messages(exc, "$"))
    problems, seen = [], set()
    for i, c in enumerate(spec.clauses):
        n = norm(c.number)
        if not n:
            problems.append(Problem(path, "a clause needs its number", column=f"clauses[{i}].number"))
        elif n in seen:
            problems.append(Problem(path, "the same clause number twice", column=f"clauses[{i}].number", value=c.number))
        seen.add(n)
    return (None if problems else _build(p, spec)), tuple(problems)


def read_inventory(path: Path) -> tuple[Inventory | None, tuple[Problem, ...]]:
    try:
        st = path.stat()
    except OSError as exc:
        return None, (Problem(str(path), f"cannot read the clause inventory: {exc.strerror}"),)
    return _read(str(path), (st.st_mtime_ns, st.st_size))


def anchored(src: SourceSpec, pack_file: Path) -> SourceSpec:
    """The source with its ``clauses`` path made absolute: relative to the pack file naming it or,
    when there is no such file (a copy of a built-in pack elsewhere), to the built-in packs."""
    if not src.clauses or Path(src.clauses).is_absolute():
        return src
    path = (pack_file.parent / src.clauses).resolve()
    if not path.is_file():
        import jixiao.policy_packs

        builtin = (Path(jixiao.policy_packs.__file__).parent / src.clauses).resolve()
        path = builtin if builtin.is_file() else path
    return attrs.evolve(src, clauses=str(path))


def source_problems(pack_file: Path, key: str, src: SourceSpec) -> list[Problem]:
    """A broken inventory is an error of the pack that names it; a missing one a warning."""
    if not src.clauses:
        return []
    path = Path(anchored(src, pack_file).clauses)
    if not path.is_file():
        return [Problem(str(pack_file), "the clause inventory does not exist", column=f"sources.{key}.clauses",
                        value=src.clauses, severity="warning")]
    return list(read_inventory(path)[1])


def inventory(pack: Pack, key: str) -> Inventory | None:
    src = pack.sources.get(key)
    if src is None or not src.clauses:
        return None
    return read_inventory(Path(src.clauses))[0]


# --- references ---------------------------------------------------------------------------------

RANGE = re.compile(r"\s*(?:至|–|—|~|～)\s*")


@attrs.frozen
class Match:
    ref: str  # one clause reference as written
    found: tuple[int, ...]  # inventory positions it accounts for (empty: not in the document)
    inside: str | None = None  # the finer part, when the reference is inside a clause (（二） of 第十条（二）)


def _one(inv: Inventory, ref: str, subtree: bool) -> Match:
    n = norm(ref)
    i = inv.index.get(n)
    if i is not None:
        return Match(ref, tuple(inv.subtree(i) if subtree else [i]))
    holders = [j for m, j in inv.index.items() if _extends(n, m) and not inv.children(j)]
    if holders:
        j = max(holders, key=lambda j: len(norm(inv.clauses[j].number)))
        return Match(ref, (j,), n[len(norm(inv.clauses[j].number)):])
    return Match(ref, ())


def resolve(inv: Inventory, clause: str, subtree: bool = False) -> list[Match]:
    """Each clause a reference names, with the inventory positions it accounts for."""
    out = []
    for part in re.split(r"[、，,；;]", clause):
        part = part.strip()
        if not part:
            continue
        ends = RANGE.split(part)
        if len(ends) == 2:
            a, b = _one(inv, ends[0], False), _one(inv, ends[1], False)
            if a.found and b.found and a.found[0] <= b.found[0]:
                span = set()
                for j in range(a.found[0], b.found[-1] + 1):
                    span |= set(inv.subtree(j) if subtree else [j])
                out.append(Match(part, tuple(sorted(span))))
            else:
                out += [m for m in (a, b) if not m.found] or [Match(part, ())]
        else:
            out.append(_one(inv, part, subtree))
    return out


def unknown_message(inv: Inventory, m: Match, doc: str) -> str:
    numbers = [c.number for c in inv.clauses]
    return f"{doc} has no clause {m.ref}{closest(m.ref, numbers)}"


# --- display ------------------------------------------------------------------------------------

def excerpt(text: str, limit: int = 80) -> str:
    """A clause's text on one line, cut at a sentence end near ``limit`` characters (…)."""
    flat = " ".join(line.strip() for line in text.splitlines() if line.strip())
    if len(flat) <= limit:
        return flat
    cut = max(flat.rfind(p, 0, limit) for p in "。；;：")
    return flat[:cut + 1] + "…" if cut >= limit // 2 else flat[:limit] + "…"


def _sub_item(text: str, inside: str) -> str | None:
    """The line of a clause's text that starts with its item ``inside`` (（二） of 第十条)."""
    for line in text.splitlines():
        if norm(line).startswith(inside):
            return line.strip()
    return None


@attrs.frozen
class Quote:
    number: str  # as cited
    title: str | None
    text: str | None  # the whole clause, or the cited item of it; None when not at hand
    verified: bool
    found: bool
    note: str | None = None


def quotes(pack: Pack, citation: Citation) -> list[Quote]:
    """The text of each clause a citation names (empty when the source has no inventory)."""
    inv = inventory(pack, citation.source)
    if inv is None:
        return []
    out = []
    for m in resolve(inv, citation.clause):
        if not m.found:
            out.append(Quote(m.ref, None, None, True, False))
            continue
        for j in m.found:
            c = inv.clauses[j]
            text = c.text
            if text and m.inside:
                text = _sub_item(text, m.inside) or text
            out.append(Quote(m.ref if m.inside else c.number, c.title, text, inv.verified(c), True, c.note))
    return out


def is_unverified(pack: Pack, citation: Citation) -> bool:
    return any(not q.verified for q in quotes(pack, citation))


def clause_label(pack: Pack, citation: Citation) -> str:
    """The clause as cited, marked （未核实） when the inventory says its number is not verified."""
    return citation.clause + (UNVERIFIED if is_unverified(pack, citation) else "")


def quote_lines(pack: Pack, citation: Citation, limit: int | None = 80) -> list[str]:
    """One line per clause cited: number, then its text (shortened to ``limit``; None: whole)."""
    lines = []
    for q in quotes(pack, citation):
        if not q.found:
            lines.append(f"{q.number}：（本文件无此条款）")
        elif q.text:
            lines.append(f"{q.number}「{q.text if limit is None else excerpt(q.text, limit)}」")
        else:
            lines.append(f"{q.number}{q.title or ''}（{NO_TEXT}）" + (f"：{q.note}" if q.note else ""))
    return lines


# --- coverage -----------------------------------------------------------------------------------

@attrs.frozen
class Account:
    """What a pack does with one clause of one of its sources."""

    clause: Clause
    cited_by: tuple[str, ...]  # rule ids, or rule.parameter for a parameter's own clause
    not_modelled: tuple[str, ...]  # reasons
    out_of_scope: tuple[tuple[str, str], ...]  # (level, reason)

    @property
    def accounted(self) -> bool:
        return bool(self.cited_by or self.not_modelled or self.out_of_scope)


def coverage(pack: Pack, key: str) -> list[Account] | None:
    """Every clause of source ``key`` with what the pack does with it (None: no inventory)."""
    inv = inventory(pack, key)
    if inv is None:
        return None
    cited: dict[int, list[str]] = {}
    for rule in pack.rules:
        refs = [(rule.id, rule.citation)]
        refs += [(f"{rule.id}.{name}", v.citation) for name, v in rule.values.items()
                 if v.citation is not None and v.citation != rule.citation]
        for who, c in refs:
            if c.source != key:
                continue
            for m in resolve(inv, c.clause):
                for j in m.found:
                    if who not in cited.setdefault(j, []):
                        cited[j].append(who)
    # A not_modelled or out_of_scope entry accounts for the clause it names and for those of its
    # sub-clauses that nothing more specific accounts for (no rule cites them, no entry names them).
    direct: dict[int, list[tuple[str, object]]] = {}
    below: dict[int, list[tuple[str, object]]] = {}
    entries = [("nm", g, g.reason) for g in pack.meta.not_modelled]
    entries += [("oos", g, (g.level, g.reason)) for g in pack.meta.out_of_scope]
    for kind, g, what in entries:
        if g.source != key:
            continue
        for m in resolve(inv, g.clause):
            for j in m.found:
                direct.setdefault(j, []).append((kind, what))
                for d in inv.subtree(j):
                    if d != j:
                        below.setdefault(d, []).append((kind, what))
    nm: dict[int, list] = {}
    oos: dict[int, list] = {}
    for j in range(len(inv.clauses)):
        said = direct.get(j) or ([] if j in cited else below.get(j, []))
        for kind, what in said:
            (nm if kind == "nm" else oos).setdefault(j, []).append(what)
    return [Account(c, tuple(cited.get(j, ())), tuple(nm.get(j, ())), tuple(oos.get(j, ())))
            for j, c in enumerate(inv.clauses) if not c.heading]

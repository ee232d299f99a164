"""``jixiao packs lint``: what a careful reviewer of a pack would point out (warnings).

- an assumed value without a stated reason;
- a rule that no case file of the pack exercises (a rule the pack inherits unchanged is covered by
  the cases of the parent that set it);
- an override whose value and citation both equal its parent's (it changes nothing). A value
  restated under the pack's own clause is not flagged: the local document stating it matters;
- clause coverage (core/clauses.py): a source of the pack without a clause inventory; a clause of
  the pack's own sources that no rule cites and that is neither ``not_modelled`` nor
  ``out_of_scope``; a citation (rule, parameter, not_modelled, out_of_scope) naming a clause its
  source does not have. A parent's sources are accounted for in the parent.

Overrides without their own citation and citations of sources the pack does not list are errors
already when the pack loads.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from jixiao.core.authoring.cases import case_files, read_case
from jixiao.core.clauses import coverage, inventory, resolve
from jixiao.core.errors import PackError, Problem
from jixiao.core.pack import Pack, closest_zh, keyed, read_pack_file, value_text
from jixiao.core.registry import Registry


def own_sources(pack: Pack) -> list[str]:
    """The sources this pack file declares; a parent's sources are accounted for in the parent."""
    spec, _ = read_pack_file(pack.path)
    return list(spec.sources) if spec is not None else list(pack.sources)


def lint(pack: Pack, registry: Registry) -> list[Problem]:
    file = str(pack.path)
    found: list[Problem] = []
    for rule in pack.rules:
        for name, v in rule.values.items():
            if v.origin == pack.id and v.assumed is not None and not v.assumed.strip():
                found.append(Problem(file, "假定的取值须写明理由",
                                     column=f"rules.{rule.id}.assumed.{name}", severity="warning"))
    # A rule is covered by a case of this pack, or, when this pack leaves it as its parent has it,
    # by a case of every pack up the chain to the one that last changed it (they resolve it alike).
    paths = dict(zip(pack.chain, pack.paths or (pack.path,)))
    exercised: dict[str, set[str]] = {}

    def cases_of(pid: str) -> set[str]:
        if pid not in exercised:
            exercised[pid] = set()
            for path in case_files(paths[pid], pid) if pid in paths else ():
                exercised[pid] |= {e.rule for e in read_case(path).expect}
        return exercised[pid]

    for rule in pack.enabled_rules():
        last = (rule.changed_in or (rule.defined_in,))[-1]
        upto = pack.chain[:pack.chain.index(last) + 1] if last in pack.chain else pack.chain[:1]
        if not any(rule.id in cases_of(pid) for pid in upto):
            where = f"cases/{pack.id}/" + (f" 和上级规则包（{'、'.join(upto[1:])}）的案例" if upto[1:] else "")
            found.append(Problem(file, f"{where}中没有案例文件预期本规则的结论",
                                 column=f"rules.{rule.id}", severity="warning"))
    parent = pack.parent(registry)
    if parent is not None:
        parents = {r.id: r for r in parent.rules}
        for rule in pack.rules:
            up = parents.get(rule.id)
            if up is None:
                continue
            for name, v in rule.values.items():
                pv = up.values.get(name)
                if (v.origin == pack.id and pv is not None and value_text(pv.value) == value_text(v.value)
                        and pv.citation == v.citation):
                    found.append(Problem(file, f"设置的取值与 {parent.id} 相同，依据也相同（这个覆盖不改变任何取值）",
                                         column=f"rules.{rule.id}.params.{name}", value=value_text(v.value),
                                         severity="warning"))
    return keyed(found + lint_clauses(pack))


def lint_clauses(pack: Pack) -> list[Problem]:
    """Every clause of the pack's own sources accounted for; every citation naming a real clause."""
    file = str(pack.path)
    found: list[Problem] = []
    for key in own_sources(pack):
        if key not in pack.sources:
            continue
        accounts = coverage(pack, key)
        if accounts is None:
            found.append(Problem(file, "该来源没有列出条款清单（clauses = \"sources/….toml\"），无从表明文件的每一条都有交代",
                                 column=f"sources.{key}", severity="warning"))
            continue
        doc = pack.source_label(key)
        for a in accounts:
            if not a.accounted:
                found.append(Problem(file, f"{doc} 的 {a.clause.number} 没有交代：没有规则引用它，也不在 "
                                           "pack.not_modelled 或 pack.out_of_scope 中",
                                     column=f"sources.{key}", value=a.clause.number, severity="warning"))
    spec, _ = read_pack_file(pack.path)
    if spec is None:
        return found
    refs = []
    for rid, rs in spec.rules.items():
        if rs.citation is not None:
            refs.append((f"rules.{rid}.citation", rs.citation.source, rs.citation.clause))
        refs += [(f"rules.{rid}.cite.{name}", c.source, c.clause) for name, c in rs.cite.items()]
    refs += [(f"pack.not_modelled[{i}]", g.source, g.clause) for i, g in enumerate(spec.pack.not_modelled)]
    refs += [(f"pack.out_of_scope[{i}]", g.source, g.clause) for i, g in enumerate(spec.pack.out_of_scope)]
    for where, source, clause in refs:
        inv = inventory(pack, source)
        if inv is None:
            continue
        for m in resolve(inv, clause):
            if not m.found:
                numbers = [c.number for c in inv.clauses]
                found.append(Problem(file, f"{pack.source_label(source)} 中没有条款 {m.ref}{closest_zh(m.ref, numbers)}",
                                     column=f"{where}.clause", value=clause, severity="warning"))
    return found


def check_pack(ref: str | Path, registry: Registry, strict: bool = False) -> list[Problem]:
    """Every problem in a pack (and its parents); warnings count as errors when ``strict``."""
    try:
        pack = Pack.load(ref, registry)
    except PackError as exc:
        return keyed(exc.problems)
    found = keyed(list(pack.warnings) + lint(pack, registry))
    if strict:
        found = [attrs.evolve(p, severity="error") for p in found]
    return found

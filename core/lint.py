"""``jixiao packs lint``: what a careful reviewer of a pack would point out (warnings).

- an assumed value without a stated reason;
- a rule that no case file of the pack exercises (a rule the pack inherits unchanged is covered by
  the cases of the parent that set it);
- an override whose value and citation both equal its parent's (it changes nothing). A value
  restated under the pack's own clause is not flagged: the local document stating it matters.

Overrides without their own citation and citations of sources the pack does not list are errors
already when the pack loads.
"""

from __future__ import annotations

from jixiao.core.cases import case_files, read_case
from jixiao.core.errors import Problem
from jixiao.core.pack import Pack, value_text
from jixiao.core.registry import Registry


def lint(pack: Pack, registry: Registry) -> list[Problem]:
    file = str(pack.path)
    found: list[Problem] = []
    for rule in pack.rules:
        for name, v in rule.values.items():
            if v.origin == pack.id and v.assumed is not None and not v.assumed.strip():
                found.append(Problem(file, "an assumed value needs a stated reason",
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
            where = f"cases/{pack.id}/" + (f" or its parents' cases ({', '.join(upto[1:])})" if upto[1:] else "")
            found.append(Problem(file, f"no case file in {where} expects a finding of this rule",
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
                    found.append(Problem(file, f"sets the value {parent.id} already has, under the same citation",
                                         column=f"rules.{rule.id}.params.{name}", value=value_text(v.value),
                                         severity="warning"))
    return found

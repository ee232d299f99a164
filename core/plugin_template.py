"""The files of a new plugin package, as written by ``jixiao new plugin NAME``."""

from __future__ import annotations


def files(name: str, pkg: str, cls: str, stage: str, stage_zh: str) -> dict[str, str]:
    dist = f"jixiao-{name.replace('_', '-')}"
    example = f"{name}_example"
    return {
        "pyproject.toml": f'''[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "A jixiao rule plugin: {name}"
requires-python = ">=3.11"
dependencies = ["jixiao"]

[project.optional-dependencies]
test = ["pytest>=8"]

# jixiao finds the rule and the example pack through these entry points once the package is installed.
[project.entry-points."jixiao.plugins"]
{name} = "{pkg}:{cls}"

[project.entry-points."jixiao.packs"]
{name} = "{pkg}.packs"

[tool.setuptools]
packages = ["{pkg}", "{pkg}.packs"]

[tool.setuptools.package-data]
"{pkg}.packs" = ["*.toml", "cases/*/*.toml"]
''',
        f"{pkg}/__init__.py": f'''"""{name}: budget execution below a rate at the end of a month of the budget year → reminder.

A starting point: change the parameters and the hook to the rule your document states. The hook is
called once per run with every project (a polars frame), never once per project.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import polars as pl

from jixiao import Rule, hookimpl


@attrs.frozen(kw_only=True)
class {cls}Params:
    month: int = 9  # the checkpoint: the end of this month of the budget year
    min_rate: Decimal = Decimal("0.75")  # execution below this at the checkpoint is reminded

    def __attrs_post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month: 1 to 12, got {{self.month}}")
        if not Decimal(0) < self.min_rate <= Decimal(1):
            raise ValueError(f"min_rate: between 0 and 1, got {{self.min_rate}}")


class {cls}(Rule):
    name = "{name}"
    summary = "execution below min_rate at the end of the checkpoint month → reminder"
    Params = {cls}Params
    reads = ("fiscal_year", "budget_fen", "spent_fen")  # shown by `jixiao explain`

    @hookimpl
    def jixiao_{stage}(self, as_of, facts):
        p = self.params
        num, den = p.min_rate.as_integer_ratio()  # exact: spent / budget < min_rate without floats
        checkpoint = pl.date(pl.col("fiscal_year"), p.month, 1).dt.month_end()
        slow = facts.lazy().filter(
            (pl.col("fiscal_year") == as_of.year)
            & (pl.lit(as_of) >= checkpoint)
            & (pl.col("spent_fen") * den < pl.col("budget_fen") * num)
        )
        message = f"截至{{p.month}}月末预算执行率低于{{(p.min_rate * 100).normalize():f}}%，请加快支出进度"
        return self.output(self.findings(slow, "remind", message, assumed=self.is_assumed("month", "min_rate")))
''',
        f"{pkg}/packs/__init__.py": '"""Pack files shipped with the plugin (the jixiao.packs entry point names this package)."""\n',
        f"{pkg}/packs/{example}.toml": f'''# An example pack using the {name} rule: the national pack plus this rule.
[pack]
id = "{example}"
name = "{name} 示例"
level = "city"
extends = "national"

[sources.example_doc]
doc_no = ""
title = "（示例）预算执行进度管理办法"

[rules.{name}]
plugin = "{name}"
citation = {{ source = "example_doc", clause = "第五条" }}

[rules.{name}.params]
month = 9
min_rate = "0.75"
''',
        f"{pkg}/packs/cases/{example}/checkpoint.toml": f'''# 74.99 % spent at the end of September is reminded, 75 % is not; before 09-30 nothing is.
[case]
pack = "{example}"
as_of = 2025-09-30
description = "{name}: execution below 75 % at the end of September"
rules = ["{name}"]

[defaults.projects]
department = "示例局"
fiscal_year = 2025
fund_type = "一般公共预算"
category = "一般项目"
budget = 1000000

[[projects]]
project_id = "SLOW"
name = "执行74.99%"
spent = "749900"

[[projects]]
project_id = "ON-TRACK"
name = "执行75%"
spent = "750000"

[[expect]]
project = "SLOW"
rule = "{name}"
action = "remind"
message = "低于75%"
''',
        "tests/test_rule.py": f'''"""The plugin's own tests: its case files pass, and bad parameters are refused."""

from decimal import Decimal

import pytest

from jixiao.core.cases import case_files, run_case
from jixiao.core.registry import Registry

from {pkg} import {cls}Params


def test_cases_pass():
    registry = Registry.discover()  # finds this package through its entry points
    source = registry.packs["{example}"]
    paths = case_files(source.path, "{example}")
    assert paths, "no case files found"
    for path in paths:
        result = run_case(path, registry)
        assert result.passed, "\\n".join(result.failures)


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="month"):
        {cls}Params(month=13)
    with pytest.raises(ValueError, match="min_rate"):
        {cls}Params(min_rate=Decimal("1.5"))
''',
        "README.md": f'''# {dist}

A [jixiao](https://pypi.org/project/jixiao/) rule plugin, `{name}`, implementing the
`jixiao_{stage}` hook ({stage_zh}): budget execution below a rate at the end of a month → reminder.

```bash
pip install -e ".[test]"       # next to jixiao
jixiao plugins list            # shows {name}
jixiao packs test {example}    # runs the example pack's case files
python -m pytest               # the plugin's tests
```

Use it in a pack:

```toml
[rules.september_reminder]
plugin = "{name}"
citation = {{ source = "my_doc", clause = "第五条" }}

[rules.september_reminder.params]
month = 9
min_rate = "0.75"
```
''',
    }

"""jixiao's core, by layer (docs/architecture.md, "Layout"; a test keeps every import pointing down).

The kernel, at this folder's top level — the contract a plugin sees and the host that runs it:

- ``hookspecs`` (the hooks, one per stage), ``rule`` (``Rule``, ``RuleOutput``, ``Citation``) and
  ``actions`` (the vocabulary of what a rule decides): the contract.
- ``registry`` (plugins and packs, built-in and installed), ``pack/`` (a pack file and its
  ``extends`` chain resolved), ``converter`` (the one cattrs converter), ``errors``, ``engine`` (the
  run: five stages, one hook call each), ``in_force`` (what applies on a date) and ``clauses`` (the
  sources a pack cites): the host.

Beside it, the vocabulary every layer and the plugin toolkit share: ``schema`` (the tables and
their columns), ``money``, ``dates``, ``per_project``, ``indicators``. ``sample`` (the sample
portfolio generator and writers) is a data tool that still lives here; it counts as a tool.

Around the kernel, one subpackage each:

- ``load/``: reading a portfolio (CSV, XLSX, XLS, JSON, Parquet), converting text to typed columns,
  the cross-table checks and the index — ``load_portfolio`` and the ``Portfolio`` it returns.
- ``outputs/``: what runs produce and show — run output, explain, compare and its report, diffs.
- ``authoring/``: tools for pack and plugin authors — scaffolds, case files, the pack linter.

The layers, bottom up: vocabulary, ``load/``, the kernel, ``outputs/``, tools (``authoring/``, ``sample``).
"""

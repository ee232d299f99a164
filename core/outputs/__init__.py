"""What runs produce and show: a run's findings as CSV/JSON/XLSX (``run``, with ``workbook`` and
``files``), explain for one project (``explain``, ``explain_text``, ``records``, ``param_labels``),
the comparison of packs (``compare``) with its JSON/XLSX (``compare_output``) and HTML report
(``report``, ``report_text``, ``report_charts``), and the pack and decision diffs (``diffs``).

Everything here is built on the engine's results; nothing in the kernel imports it."""

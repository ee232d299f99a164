"""Reading the standard forms bureaus fill in — 项目支出绩效自评表 and 项目支出绩效目标申报表 — into a
jixiao portfolio (docs/forms.md).

- ``xlsx``: the cells of a workbook's sheets as written (numbers as their exact text), with merged ranges;
- ``parse``: a target value (``≥50个``, ``＜5%``, ``效果明显``), a category label (``产出指标(50分)``), an
  actual value, an amount in 万元, and the 一体化 operator codes (``COMPUTESIGN``);
- ``layout``: where a form's blocks and columns are, found by their labels;
- ``read``: every sheet of every workbook into the portfolio's tables, all problems at once (``read_forms``),
  and written as a portfolio folder (``convert_forms``); the sheets are read by ``reader.SheetReader``, whose
  parts are ``header`` (the project's row), ``funds`` (项目资金: unit, amounts, 资金执行得分) and ``indicators``
  (the indicator block, a 自评表's scores, a 申报表's 年度 block), on ``cells`` (a cell's place and problems);
  ``labels`` holds the labels they look for and the tables' columns;
- ``sample``: realistic filled-in forms, seeded.
"""

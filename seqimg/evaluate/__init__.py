"""Evaluation of a run: the pipeline that measures it (``pipeline``, torch), the report's data
(``result``), its verdict (``verdict``) and the pages that show it (``report``, ``html``).
Importing this package imports none of them, so reading a verdict never loads torch."""

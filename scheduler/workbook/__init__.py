"""The coordinator's workbooks: the instance as an Excel template, per-unit rosters and
personal plans."""

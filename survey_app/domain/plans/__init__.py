"""A delegation's survey plan (kế hoạch khảo sát): the schedule of its visits across
units and the plan's fields (`operations.py`, read first), and its two documents, the
plan and the report outline (`context.py` → `documents.py`, PDF and `docx.py`)."""

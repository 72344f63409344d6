"""The host unit's own report before a visit (Báo cáo của đơn vị): its figures,
summary, difficulties and proposals, filled online by the unit's host and prefilled
into the visit the delegation captures on site. Read `operations.py` first (checks and
saving), then `views.py` (what the host's, the capture and the list pages show)."""

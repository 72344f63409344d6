"""The survey report (báo cáo kết quả khảo sát) of a delegation, made from all its visits:
comparison across units, assessment, recommendations by addressee, Decree 30 form,
finalize, signature and seal, publication. Read `operations.py` first."""

"""The directory: delegations (đoàn khảo sát) and their members, and the units
they visit. Read `delegations.py` first."""

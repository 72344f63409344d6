"""Domain operations: plain functions named as actions, taking a Store and plain
values. Nothing here imports Flask or sqlite3."""

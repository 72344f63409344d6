"""Accounts: users and roles, password sign-in with throttling, API tokens.
Read `operations.py`."""

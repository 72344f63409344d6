"""The directory's pages and API: delegations and their members."""

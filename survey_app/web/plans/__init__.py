"""The survey plan's pages (`pages.py`: the plan of a delegation and its documents) and
its API route (`api.py`: planning one visit)."""

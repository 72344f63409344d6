"""The SQL of a user's scope: which visits, recommendations, units and delegations a
list may show. `domain/access.scope(user)` decides the Scope; the clauses here turn
it into a WHERE condition, so every list filters in SQL (no query per row).

The ids are inlined as integers (never user text), so a clause joins any query,
whatever its parameter style."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Scope:
    """`unit_id`: a host sees what concerns that unit; `member_id`: a delegation-side
    user sees what concerns the delegations they belong to; neither: everything."""
    unit_id: int | None = None
    member_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.unit_id is None and self.member_id is None


EVERYTHING = Scope()
NOTHING = "0"


def _delegations_of(member_id: int) -> str:
    return f"(SELECT delegation_id FROM memberships WHERE user_id = {int(member_id)})"


def visits_clause(scope: Scope, table: str = "visits") -> str:
    """Visits to the host's unit; visits of the member's delegations, and those they created."""
    if scope.unit_id is not None:
        return f"{table}.unit_id = {int(scope.unit_id)}"
    if scope.member_id is not None:
        return (f"({table}.delegation_id IN {_delegations_of(scope.member_id)} "
                f"OR {table}.created_by = {int(scope.member_id)})")
    return "1"


def recommendations_clause(scope: Scope, table: str = "r") -> str:
    """Recommendations addressed to the host's unit; those of the member's delegations."""
    if scope.unit_id is not None:
        return f"{table}.unit_id = {int(scope.unit_id)}"
    if scope.member_id is not None:
        return f"{table}.delegation_id IN {_delegations_of(scope.member_id)}"
    return "1"


def units_clause(scope: Scope, table: str = "units") -> str:
    """A host sees only their own unit among the units; everyone else every unit (the
    delegations plan visits to any of them)."""
    if scope.unit_id is not None:
        return f"{table}.id = {int(scope.unit_id)}"
    return "1"


def delegations_clause(scope: Scope, table: str = "delegations") -> str:
    """A host sees the delegations that visited their unit or addressed it a
    recommendation; everyone else every delegation."""
    if scope.unit_id is not None:
        unit = int(scope.unit_id)
        return (f"{table}.id IN (SELECT delegation_id FROM visits WHERE unit_id = {unit} "
                f"UNION SELECT delegation_id FROM recommendations WHERE unit_id = {unit})")
    return "1"

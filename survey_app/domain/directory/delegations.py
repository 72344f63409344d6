"""Delegations (đoàn khảo sát / đoàn giám sát) and who is in them."""
from __future__ import annotations

from survey_app.markers import N_
from survey_app.storage import delegations as sql
from survey_app.clock import now_utc
from survey_app.domain.access import DELEGATION_POSITIONS
from survey_app.domain.errors import DomainError



def _insert_with_members(db, values: dict, members: list[dict]) -> int:
    delegation_id = sql.insert_delegation(db, **values)
    for position, member in enumerate(members):
        sql.insert_membership(db, delegation_id=delegation_id, position=position,
                              user_id=member.get("user_id"), name=member["name"],
                              title=member.get("title", ""), role=member.get("role") or "member")
    return delegation_id


def create_delegation(store, *, name: str, body: str, parent_body: str = "", topic: str = "",
                      decision_no: str = "", follow_up_days: int = 90,
                      members: list[dict] = ()) -> int:
    """Create a delegation with its members ({name, title, role, user_id?})."""
    if not name.strip() or not body.strip():
        raise DomainError(N_("Đoàn cần có tên và cơ quan."), "name" if not name.strip() else "body")
    for member in members:
        if member.get("role") not in DELEGATION_POSITIONS:
            raise DomainError(N_("Vai trò trong đoàn không hợp lệ: '%(role)s'"), "members.role",
                              role=member.get('role'))
    values = {"name": name.strip(), "body": body.strip(), "parent_body": parent_body,
              "topic": topic, "decision_no": decision_no, "follow_up_days": follow_up_days,
              "created_at": now_utc()}
    return store.write(_insert_with_members, values, list(members))


def ensure_delegation(store, **fields) -> int:
    """The id of the delegation with this name and body, created if missing."""
    found = store.read(sql.find_delegation, fields["name"], fields["body"])
    return found["id"] if found else create_delegation(store, **fields)

"""Who may do what: the role sets, every named permission check, and the scope that
limits every list. Declared once here and called from the loaders of each area.

Three different sets of roles, not to be mixed up:
- a user's role (`USER_ROLES`): admin, secretary, head, member, host (tied to one
  unit), viewer;
- a person's position inside one delegation (`DELEGATION_POSITIONS`, a membership):
  head, deputy, member, secretary;
- who signs the minutes (`SIGNATORY_ROLES`): the head, the secretary and the host
  unit's representative.

Checks that read the database take `db` first, so they run in `store.read`.
"""
from __future__ import annotations

from survey_app.domain.errors import Forbidden
from survey_app.markers import N_
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import plans as plans_sql
from survey_app.storage.scope import EVERYTHING, Scope

USER_ROLES = ("admin", "secretary", "head", "member", "host", "viewer")
USER_ROLE_LABELS = {
    "admin": N_("Quản trị viên"),
    "secretary": N_("Thư ký"),
    "head": N_("Trưởng đoàn"),
    "member": N_("Thành viên Đoàn"),
    "host": N_("Đại diện đơn vị được khảo sát"),
    "viewer": N_("Người xem"),
}
DELEGATION_POSITIONS = ("head", "deputy", "member", "secretary")
# As the minutes print them (Decree 30 capitalisation), not translated.
DELEGATION_POSITION_LABELS = {"head": "Trưởng đoàn", "deputy": "Phó Trưởng đoàn",
                              "member": "Thành viên", "secretary": "Thư ký"}
# As pages and messages name them (translated).
POSITION_LABELS = {"head": N_("Trưởng đoàn"), "deputy": N_("Phó Trưởng đoàn"),
                   "member": N_("Thành viên Đoàn"), "secretary": N_("Thư ký Đoàn")}
SIGNATORY_ROLES = ("head", "secretary", "host")
SIGNATORY_LABELS = {"head": N_("Trưởng đoàn"), "secretary": N_("Thư ký"),
                    "host": N_("Đại diện đơn vị được khảo sát")}

SEES_EVERYTHING = frozenset({"admin", "viewer"})
DELEGATION_SIDE = frozenset({"secretary", "head", "member"})  # user roles that work inside delegations
PLANNER_ROLES = frozenset({"admin", "secretary", "head"})
PLANNING_POSITIONS = frozenset({"head", "secretary"})  # who plans for a delegation, inside it
COMMITTEE_ROLES = frozenset({"head", "secretary"})

REFUSED = N_("Tài khoản không có quyền thực hiện thao tác này.")
PLAN_REFUSED = N_("Tài khoản không có quyền lập kế hoạch khảo sát cho đoàn này.")


def require(allowed: bool, message: str = REFUSED) -> None:
    if not allowed:
        raise Forbidden(message)


# ----------------------------------------------------------------- scope of lists

def scope(user: dict) -> Scope:
    """What the lists show this user: admins and viewers everything, a host what
    concerns their unit, the others what concerns the delegations they belong to.
    The SQL of it is built in storage (`storage/scope.py`)."""
    if user["role"] in SEES_EVERYTHING:
        return EVERYTHING
    if user["role"] == "host":
        return Scope(unit_id=user["unit_id"] or 0)
    return Scope(member_id=user["id"] or 0)


def delegation_ids(db, user: dict) -> list[int]:
    return delegations_sql.delegation_ids_of_user(db, user["id"]) if user["id"] is not None else []


# ----------------------------------------------------------------- accounts

def can_manage_users(user: dict) -> bool:
    return user["role"] == "admin"


# ----------------------------------------------------------------- visits

def _in_delegation(db, user: dict, visit: dict) -> bool:
    """A member of the visit's delegation, or the person who brought the visit in."""
    return (user["id"] is not None and visit["created_by"] == user["id"]) or \
        visit["delegation_id"] in delegation_ids(db, user)


def can_view_visit(db, user: dict, visit: dict) -> bool:
    """Admins and viewers see every visit; a host the visits to their unit; the others
    the visits of their delegations (and those they created)."""
    if user["role"] in SEES_EVERYTHING:
        return True
    if user["role"] == "host":
        return visit["unit_id"] == user["unit_id"]
    return _in_delegation(db, user, visit)


def can_edit_visit(db, user: dict, visit: dict) -> bool:
    if user["role"] == "admin":
        return True
    return user["role"] in DELEGATION_SIDE and _in_delegation(db, user, visit)


def can_plan_visits(user: dict) -> bool:
    """May plan visits at all (the plan page, the blank capture page); for which
    delegation: `can_plan_for`."""
    return user["role"] in PLANNER_ROLES


def can_plan_for(db, user: dict, delegation_id: int) -> bool:
    """Plan a visit of this delegation: admins, and its own head or secretary."""
    if user["role"] == "admin":
        return True
    return can_plan_visits(user) and delegation_id in planning_delegation_ids(db, user)


def planning_delegation_ids(db, user: dict) -> list[int] | None:
    """The delegations this user may plan for (None: every one, for admins)."""
    if user["role"] == "admin":
        return None
    if not can_plan_visits(user) or user["id"] is None:
        return []
    return delegations_sql.delegation_ids_of_user(db, user["id"], positions=tuple(PLANNING_POSITIONS))


def can_import_into(db, user: dict, delegation_id: int) -> bool:
    """Import a visit document of an existing delegation: admins and its members."""
    return user["role"] == "admin" or delegation_id in delegation_ids(db, user)


def can_import_visits(user: dict) -> bool:
    return user["role"] == "admin" or user["role"] in DELEGATION_SIDE


# ----------------------------------------------------------------- minutes

def can_prepare_minutes(db, user: dict, visit: dict) -> bool:
    """Admins, and the secretary or head of the visit's delegation."""
    if user["role"] == "admin":
        return True
    return user["role"] in COMMITTEE_ROLES and _in_delegation(db, user, visit)


SELF, ON_BEHALF = "self", "on_behalf"
SIGN_REFUSED = {
    "head": N_("Tài khoản không có quyền ký ô này: chỉ Trưởng đoàn tự ký, hoặc Thư ký Đoàn thu nhận "
               "chữ ký của Trưởng đoàn trên thiết bị của mình."),
    "secretary": N_("Tài khoản không có quyền ký ô này: chỉ Thư ký Đoàn tự ký ô của Thư ký Đoàn."),
    "host": N_("Tài khoản không có quyền ký ô này: chỉ đại diện đơn vị được khảo sát tự ký, hoặc Thư ký "
               "Đoàn thu nhận chữ ký tại buổi làm việc."),
}


def signing_capacity(db, user: dict, visit: dict, role: str) -> str | None:
    """How `user` may fill the signatory slot `role` of the visit's minutes: SELF (the head
    or secretary of that delegation, the host of the visited unit), ON_BEHALF (the
    delegation's secretary collecting the head's or the host's signature on their own
    device), or None. Nobody else signs: members never sign for others, nor do admins."""
    if role == "host" and user["role"] == "host" and visit["unit_id"] == user["unit_id"]:
        return SELF
    if user["id"] is None:
        return None
    positions = set(delegations_sql.positions_of_user(db, visit["delegation_id"], user["id"]))
    if role in ("head", "secretary") and role in positions:
        return SELF
    return ON_BEHALF if "secretary" in positions and role in ("head", "host") else None


def can_sign_minutes(db, user: dict, visit: dict, role: str) -> bool:
    return signing_capacity(db, user, visit, role) is not None


# ----------------------------------------------------------------- follow-up

def can_view_recommendation(db, user: dict, row: dict) -> bool:
    if user["role"] in SEES_EVERYTHING:
        return True
    if user["role"] == "host":
        return row["unit_id"] == user["unit_id"]
    return row["delegation_id"] in delegation_ids(db, user)


def can_report_progress(db, user: dict, row: dict) -> bool:
    """Report progress: the addressed unit's host, the delegation's people, admins."""
    return user["role"] != "viewer" and can_view_recommendation(db, user, row)


def can_decide_recommendation(db, user: dict, row: dict) -> bool:
    """Accept or reject a done claim, drop, reopen: the committee."""
    if user["role"] == "admin":
        return True
    return user["role"] in COMMITTEE_ROLES and can_view_recommendation(db, user, row)


def history_unit(user: dict) -> int | None:
    """A host reads only the part of a recommendation's history written while it was
    addressed to their unit (None: the whole history)."""
    return user["unit_id"] or 0 if user["role"] == "host" else None


def can_view_evidence(db, user: dict, row: dict, evidence: dict) -> bool:
    unit = history_unit(user)
    return can_view_recommendation(db, user, row) and unit in (None, evidence["update_unit_id"])


def can_view_unit(user: dict, unit_id: int) -> bool:
    """The unit page: a host sees only their own unit."""
    return user["role"] != "host" or user["unit_id"] == unit_id


def can_read_audit(user: dict) -> bool:
    """The audit trail is for administrators."""
    return user["role"] == "admin"


def can_manage_forms(user: dict | None) -> bool:
    """Publishing, retiring, previewing and downloading checklist forms: admin only."""
    return bool(user) and user.get("role") == "admin"


# ----------------------------------------------------------------- directory

def can_manage_delegations(user: dict) -> bool:
    """Create delegations (and open their pages): admins and secretaries."""
    return user["role"] in ("admin", "secretary")


def can_edit_delegation(db, user: dict, delegation_id: int) -> bool:
    """Edit a delegation and its members: admins any; a secretary those they belong to."""
    if user["role"] == "admin":
        return True
    return can_manage_delegations(user) and delegation_id in delegation_ids(db, user)


# ----------------------------------------------------------------- the unit's own report

def can_write_unit_report(user: dict, visit: dict) -> bool:
    """The unit's own report of a visit: written only by a host of the visited unit."""
    return user["role"] == "host" and user["unit_id"] is not None and visit["unit_id"] == user["unit_id"]


def can_read_plan(db, user: dict, delegation_id: int) -> bool:
    """Download a delegation's plan and report outline: admins and viewers, its members,
    and the host of a unit in its schedule (a host sees only the visits to their unit)."""
    if user["role"] in SEES_EVERYTHING:
        return True
    if user["role"] == "host":
        return bool(user["unit_id"]) and plans_sql.unit_is_planned(db, delegation_id, user["unit_id"])
    return delegation_id in delegation_ids(db, user)


def can_manage_units(user: dict | None) -> bool:
    """The units directory (create, edit, merge, import): administrators."""
    return bool(user) and user.get("role") == "admin"


# ----------------------------------------------------------------- survey report

def can_view_report(db, user: dict, delegation_id: int) -> bool:
    """The report of a delegation in any state: admins and viewers, and its members."""
    if user["role"] in SEES_EVERYTHING:
        return True
    return user["role"] in DELEGATION_SIDE and delegation_id in delegation_ids(db, user)


def can_prepare_report(db, user: dict, delegation_id: int) -> bool:
    """Draft, reword and finalize: admins, and the head or secretary of the delegation."""
    if user["role"] == "admin":
        return True
    return user["role"] in COMMITTEE_ROLES and \
        bool(set(delegations_sql.positions_of_user(db, delegation_id, user["id"])) & PLANNING_POSITIONS)


def can_publish_report(db, user: dict, delegation_id: int) -> bool:
    """Publish or withdraw: the head or secretary of the delegation (issue 13)."""
    return user["role"] in COMMITTEE_ROLES and \
        bool(set(delegations_sql.positions_of_user(db, delegation_id, user["id"])) & PLANNING_POSITIONS)


def report_signing_capacity(db, user: dict, delegation_id: int) -> str | None:
    """The signer of the report is the head of delegation: in person (`self`), or the
    delegation's secretary collecting it on their device (`on_behalf`); nobody else."""
    positions = delegations_sql.positions_of_user(db, delegation_id, user["id"]) if user["id"] else []
    if "head" in positions and user["role"] in COMMITTEE_ROLES:
        return SELF
    if "secretary" in positions and user["role"] == "secretary":
        return ON_BEHALF
    return None

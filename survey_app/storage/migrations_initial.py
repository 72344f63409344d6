"""The first migrations (m001–m007: accounts, visits, minutes, follow-up, audit and the
follow-up search), applied before every later one; `migrations.py` imports this module
first, so the order of registration is the order of application."""
from survey_app.storage.schema import _head, _HEAD_TEXT, _item, _run, migrations


@migrations()
def m001_accounts(db):
    _run(db, """
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    locality TEXT NOT NULL DEFAULT ''
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin','secretary','head','member','host','viewer')),
    full_name TEXT NOT NULL DEFAULT '',
    unit_id INTEGER REFERENCES units(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    CHECK (role != 'host' OR unit_id IS NOT NULL)
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    remote_addr TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures(username, at);
CREATE TABLE delegations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    parent_body TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    decision_no TEXT NOT NULL DEFAULT '',
    follow_up_days INTEGER NOT NULL DEFAULT 90,
    created_at TEXT NOT NULL
);
CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('head','deputy','member','secretary')),
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX memberships_delegation ON memberships(delegation_id, position);
CREATE INDEX memberships_user ON memberships(user_id)
""")


@migrations()
def m002_visits(db):
    _run(db, """
CREATE TABLE form_versions (
    content_hash TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    form_id TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    form_hash TEXT NOT NULL REFERENCES form_versions(content_hash),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN
        ('planned','in_progress','minutes_draft','minutes_final','signed','follow_up','closed')),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX visits_unit ON visits(unit_id, started_at);
CREATE INDEX visits_delegation ON visits(delegation_id, started_at);
CREATE INDEX visits_started ON visits(started_at);
CREATE TABLE visit_fields (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    value TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    PRIMARY KEY (visit_id, path)
);
CREATE TABLE visit_items (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN
        ('attendee','difficulty','proposal','opinion','recommendation','photo')),
    position REAL NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id)
);
CREATE INDEX visit_items_visit ON visit_items(visit_id, kind, position);
CREATE TABLE photos (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE applied_changes (
    client_id TEXT PRIMARY KEY,
    visit_id INTEGER REFERENCES visits(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id),
    status INTEGER NOT NULL,
    result TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE visit_search USING fts5(
    visit_id UNINDEXED, content, tokenize = 'unicode61 remove_diacritics 2'
)
""")


@migrations()
def m003_minutes(db):
    _run(db, """
CREATE TABLE minutes_counters (
    body TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (body, year)
);
CREATE TABLE minutes_versions (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','final','signed')),
    wording TEXT NOT NULL DEFAULT '{}',
    corrects INTEGER REFERENCES minutes_versions(id),
    body TEXT,
    year INTEGER,
    number INTEGER,
    symbol TEXT,
    required_roles TEXT,
    input_json TEXT,
    content_sha256 TEXT,
    final_pdf_sha256 TEXT,
    signed_content_sha256 TEXT,
    signed_pdf_sha256 TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    finalized_at TEXT,
    finalized_by INTEGER REFERENCES users(id),
    signed_at TEXT,
    UNIQUE (visit_id, version),
    UNIQUE (body, year, number)
);
CREATE INDEX minutes_versions_content ON minutes_versions(content_sha256);
CREATE INDEX minutes_versions_signed_content ON minutes_versions(signed_content_sha256);
CREATE INDEX minutes_versions_signed_pdf ON minutes_versions(signed_pdf_sha256);
CREATE INDEX minutes_versions_final_pdf ON minutes_versions(final_pdf_sha256);
CREATE TABLE minutes_signatures (
    id INTEGER PRIMARY KEY,
    minutes_id INTEGER NOT NULL REFERENCES minutes_versions(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('head','secretary','host')),
    name TEXT NOT NULL,
    image_sha256 TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    UNIQUE (minutes_id, role)
);
CREATE TABLE delegation_signatories (
    delegation_id INTEGER PRIMARY KEY REFERENCES delegations(id) ON DELETE CASCADE,
    roles TEXT NOT NULL
)
""")


@migrations()
def m004_followup(db):
    _run(db, """
CREATE TABLE recommendations (
    item_id INTEGER PRIMARY KEY REFERENCES visit_items(id) ON DELETE CASCADE,
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    text TEXT NOT NULL DEFAULT '',
    due TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN
        ('open','in_progress','done','not_done','dropped')),
    accepted INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    closed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX recommendations_due ON recommendations(due);
CREATE INDEX recommendations_status_due ON recommendations(status, due);
CREATE INDEX recommendations_unit_due ON recommendations(unit_id, due);
CREATE INDEX recommendations_delegation_due ON recommendations(delegation_id, due);
CREATE INDEX recommendations_visit ON recommendations(visit_id);
CREATE INDEX recommendations_closed ON recommendations(closed_at);
CREATE TABLE recommendation_updates (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES recommendations(item_id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT NOT NULL DEFAULT '',
    author_id INTEGER REFERENCES users(id),
    author_name TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX recommendation_updates_item ON recommendation_updates(item_id, id);
CREATE TABLE recommendation_evidence (
    id INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL REFERENCES recommendation_updates(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES recommendations(item_id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    suffix TEXT NOT NULL,
    size INTEGER NOT NULL,
    filename TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recommendation_evidence_update ON recommendation_evidence(update_id);
CREATE TABLE calendar_tokens (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
INSERT OR IGNORE INTO units (name, locality)
    SELECT DISTINCT trim(json_extract(data, '$.addressee')), '' FROM visit_items
    WHERE kind = 'recommendation' AND deleted = 0
      AND trim(coalesce(json_extract(data, '$.addressee'), '')) != '';
INSERT INTO recommendations (item_id, visit_id, delegation_id, unit_id, text, due, updated_at)
    SELECT i.id, v.id, v.delegation_id,
           coalesce((SELECT u.id FROM units u WHERE u.name = trim(json_extract(i.data, '$.addressee'))), v.unit_id),
           coalesce(json_extract(i.data, '$.text'), ''),
           coalesce(nullif(json_extract(i.data, '$.due'), ''),
                    date(substr(v.started_at, 1, 10), '+' || d.follow_up_days || ' days')),
           i.updated_at
    FROM visit_items i JOIN visits v ON v.id = i.visit_id JOIN delegations d ON d.id = v.delegation_id
    WHERE i.kind = 'recommendation' AND i.deleted = 0
""")


@migrations()
def m005_audit(db):
    _run(db, """
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entries INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
""")


@migrations()
def m006_followup_speed(db):
    """Counts per status without scanning 100,000 rows: a tally per (status, due) kept
    by triggers, so it changes in the very transaction that changes a recommendation
    (never stale; overdue stays derived: active rows with due < today). A revision
    counter lets the charts be cached until the data changes. The active rows by due
    date feed "overdue first" without sorting them."""
    def tally(row: str, sign: str) -> str:
        # Not INSERT OR IGNORE: inside a trigger the outer statement's conflict policy
        # (an UPSERT's) overrides it, and the duplicate key then fails the whole write.
        return (f"INSERT INTO recommendation_tally (status, due) SELECT {row}.status, {row}.due "
                f"WHERE NOT EXISTS (SELECT 1 FROM recommendation_tally "
                f"WHERE status = {row}.status AND due = {row}.due); "
                f"UPDATE recommendation_tally SET n = n {sign} 1, pending = pending {sign} "
                f"({row}.status = 'done' AND coalesce({row}.accepted, 1) = 0) "
                f"WHERE status = {row}.status AND due = {row}.due; ")
    bump = "UPDATE recommendation_revision SET revision = revision + 1; "
    _run(db, f"""
CREATE TABLE recommendation_tally (
    status TEXT NOT NULL,
    due TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (status, due)
) WITHOUT ROWID;
INSERT INTO recommendation_tally (status, due, n, pending)
    SELECT status, due, count(*), sum(status = 'done' AND coalesce(accepted, 1) = 0)
    FROM recommendations GROUP BY status, due;
CREATE TABLE recommendation_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
INSERT INTO recommendation_revision VALUES (1, 0);
CREATE TRIGGER recommendations_tally_insert AFTER INSERT ON recommendations
    BEGIN {tally("new", "+")}{bump}END;
CREATE TRIGGER recommendations_tally_delete AFTER DELETE ON recommendations
    BEGIN {tally("old", "-")}{bump}END;
CREATE TRIGGER recommendations_tally_update AFTER UPDATE OF status, due, accepted ON recommendations
    BEGIN {tally("old", "-")}{tally("new", "+")}END;
CREATE TRIGGER recommendations_revision_update AFTER UPDATE ON recommendations
    BEGIN {bump}END;
CREATE INDEX recommendations_active_due ON recommendations(due)
    WHERE status IN ('open','in_progress','not_done');
CREATE INDEX recommendations_pending ON recommendations(due) WHERE status = 'done' AND accepted = 0
""")


@migrations()
def m007_search_parts(db):
    """The search index in parts, kept by triggers: a part per visit (unit, delegation,
    text fields) and a part per item (attendee, difficulty, recommendation...). A
    change rewrites only its part, in its own transaction; before, every autosave
    rebuilt the whole visit's text, slower the longer the visit. Only text fields
    touch the visit's part (figures and yes/no answers are not searched). A search
    term may match any part of a visit (storage/visits.search_visits)."""
    _run(db, f"""
DROP TABLE visit_search;
CREATE VIRTUAL TABLE visit_search USING fts5(
    visit_id UNINDEXED, content, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO visit_search (rowid, visit_id, content) SELECT -v.id, v.id, {_HEAD_TEXT}
    FROM visits v JOIN units u ON u.id = v.unit_id JOIN delegations d ON d.id = v.delegation_id;
INSERT INTO visit_search (rowid, visit_id, content) SELECT i.id, i.visit_id,
    coalesce((SELECT group_concat(value, char(10)) FROM json_each(i.data) WHERE type = 'text'), '')
    FROM visit_items i WHERE i.deleted = 0;
CREATE TRIGGER visit_search_visit_insert AFTER INSERT ON visits
    BEGIN {_head("v.id = new.id")}END;
CREATE TRIGGER visit_search_visit_update AFTER UPDATE OF unit_id, delegation_id ON visits
    BEGIN {_head("v.id = new.id")}END;
CREATE TRIGGER visit_search_visit_delete AFTER DELETE ON visits
    BEGIN DELETE FROM visit_search WHERE rowid = -old.id; END;
CREATE TRIGGER visit_search_field_insert AFTER INSERT ON visit_fields
    WHEN json_type(new.value) = 'text'
    BEGIN {_head("v.id = new.visit_id")}END;
CREATE TRIGGER visit_search_field_update AFTER UPDATE OF value ON visit_fields
    WHEN json_type(new.value) = 'text' OR json_type(old.value) = 'text'
    BEGIN {_head("v.id = new.visit_id")}END;
CREATE TRIGGER visit_search_field_delete AFTER DELETE ON visit_fields
    WHEN json_type(old.value) = 'text'
    BEGIN {_head("v.id = old.visit_id")}END;
CREATE TRIGGER visit_search_delegation_update AFTER UPDATE OF name, body, topic ON delegations
    BEGIN {_head("v.delegation_id = new.id")}END;
CREATE TRIGGER visit_search_item_insert AFTER INSERT ON visit_items
    BEGIN {_item("new")}END;
CREATE TRIGGER visit_search_item_update AFTER UPDATE OF data, deleted ON visit_items
    BEGIN DELETE FROM visit_search WHERE rowid = old.id; {_item("new")}END;
CREATE TRIGGER visit_search_item_delete AFTER DELETE ON visit_items
    BEGIN DELETE FROM visit_search WHERE rowid = old.id; END
""")

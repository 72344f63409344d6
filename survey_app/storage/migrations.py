"""The schema's migrations, in order, each applied once (never edit an applied one); the
record, `apply_migrations` and the expected schema are in `schema.py`."""
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


@migrations()
def m008_access_keys(db):
    """Autosave message ids count per (visit, user): the same client id sent by another
    user or for another visit is another message, never answered with the first one's
    result (the old key was the id alone). Each recommendation update records the unit
    the recommendation was addressed to when it was written, so a new addressee's host
    does not read the old unit's notes and evidence. A photo's checklist item is stored
    as `checklist_item` (it was `item`, the word autosave uses for an item's uid)."""
    _run(db, """
CREATE TABLE applied_changes_new (
    client_id TEXT NOT NULL,
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id),
    status INTEGER NOT NULL,
    result TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
INSERT INTO applied_changes_new SELECT client_id, visit_id, user_id, status, result, applied_at
    FROM applied_changes WHERE visit_id IS NOT NULL;
DROP TABLE applied_changes;
ALTER TABLE applied_changes_new RENAME TO applied_changes;
CREATE UNIQUE INDEX applied_changes_key ON applied_changes(visit_id, coalesce(user_id, 0), client_id);
ALTER TABLE recommendation_updates ADD COLUMN unit_id INTEGER REFERENCES units(id);
UPDATE recommendation_updates SET unit_id =
    (SELECT r.unit_id FROM recommendations r WHERE r.item_id = recommendation_updates.item_id);
UPDATE visit_items SET data = json_set(json_remove(data, '$.item'), '$.checklist_item',
                                       json_extract(data, '$.item'))
    WHERE kind = 'photo' AND json_extract(data, '$.item') IS NOT NULL
""")


@migrations()
def m013_audit_filters(db):
    """The audit page filters by action and by actor."""
    _run(db, """
CREATE INDEX audit_log_action ON audit_log(action, id);
CREATE INDEX audit_log_actor ON audit_log(actor, id)
""")


@migrations()
def m009_signature_collection(db):
    """Who collected each drawn signature: `user_id` is the account that submitted it;
    `on_behalf` is 1 when that was the delegation's secretary collecting another
    signatory's signature on their device; `device` names that device."""
    _run(db, """
ALTER TABLE minutes_signatures ADD COLUMN on_behalf INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes_signatures ADD COLUMN device TEXT NOT NULL DEFAULT ''
""")


@migrations()
def m015_form_publications(db):
    """Forms published through the application (XLSForm upload or CLI import): each
    publication names the exact form text in form_versions by its content hash; a form
    retired takes no new visits, its old visits keep their version."""
    _run(db, """
CREATE TABLE form_publications (
    form_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    content_hash TEXT NOT NULL REFERENCES form_versions(content_hash),
    published_at TEXT NOT NULL,
    published_by INTEGER REFERENCES users(id),
    PRIMARY KEY (form_id, version)
);
CREATE TABLE form_retirements (
    form_id TEXT PRIMARY KEY,
    retired_at TEXT NOT NULL,
    retired_by INTEGER REFERENCES users(id)
)
""")


@migrations()
def m010_sign_in_and_sessions(db):
    """Sign-in limits per address (and a purge by age) need failures indexed by
    address and by time; `session_epoch` ends every session of a user at once
    (logout, password change, disabling, "sign out everywhere"): a session carries
    the epoch it was made in and is valid only while the user's epoch is the same."""
    _run(db, """
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_failures_address ON login_failures(remote_addr, at);
CREATE INDEX login_failures_at ON login_failures(at)
""")


@migrations()
def m017_delegation_details(db):
    """A delegation's kind (khảo sát / giám sát), the date of its deciding document and
    the symbol its documents are numbered with (e.g. BPC)."""
    _run(db, """
ALTER TABLE delegations ADD COLUMN kind TEXT NOT NULL DEFAULT 'khao_sat'
    CHECK (kind IN ('khao_sat','giam_sat'));
ALTER TABLE delegations ADD COLUMN decision_date TEXT NOT NULL DEFAULT '';
ALTER TABLE delegations ADD COLUMN symbol TEXT NOT NULL DEFAULT ''
""")


@migrations()
def m016_reminder_mail(db):
    """Reminders by e-mail: a host's address, and the log of every digest sent (or tried).
    A row is claimed ('sending') before the SMTP conversation and marked 'sent' or
    'failed' after it; the unique index lets one digest (unit, day, content) reach one
    address once, even when two runs overlap."""
    _run(db, """
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE TABLE reminder_mail (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    digest_sha256 TEXT NOT NULL,
    address TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('sending','sent','failed')),
    error TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    items INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL
);
CREATE UNIQUE INDEX reminder_mail_once ON reminder_mail(unit_id, day, digest_sha256, address)
    WHERE status IN ('sending','sent');
CREATE INDEX reminder_mail_day ON reminder_mail(day, unit_id)
""")


@migrations()
def m023_followup_reports(db):
    """Follow-up reports (báo cáo theo dõi thực hiện kiến nghị) kept as versions: a
    draft holds what the report covers (its filters) and its signer; finalize freezes
    its content as JSON with the content hash, gives it its number (counted per issuing
    body and year, apart from the minutes' numbers) and stores the PDF; sealing stores
    the PDF sealed with the organisation's certificate."""
    _run(db, """
CREATE TABLE followup_reports (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','final','sealed')),
    filters TEXT NOT NULL DEFAULT '{}',
    signer_name TEXT NOT NULL DEFAULT '',
    signer_title TEXT NOT NULL DEFAULT '',
    body TEXT,
    symbol TEXT,
    year INTEGER,
    number INTEGER,
    content_json TEXT,
    content_sha256 TEXT,
    final_pdf_sha256 TEXT,
    sealed_pdf_sha256 TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    finalized_at TEXT,
    finalized_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    sealed_at TEXT,
    sealed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (body, year, number)
);
CREATE INDEX followup_reports_content ON followup_reports(content_sha256);
CREATE INDEX followup_reports_final_pdf ON followup_reports(final_pdf_sha256);
CREATE INDEX followup_reports_sealed_pdf ON followup_reports(sealed_pdf_sha256);
CREATE TABLE followup_report_counters (
    body TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (body, year)
)
""")


@migrations()
def m020_unit_reports(db):
    """The host unit's own report before a visit (Báo cáo của đơn vị), one per visit:
    what the unit reported, kept apart from what the delegation verifies on site (the
    visit's fields and items, which the report prefills); `applied` records the field
    versions and item uids the report wrote there, so a later report changes only what
    no member has changed since; `revision` detects a stale edit."""
    _run(db, """
CREATE TABLE unit_reports (
    visit_id INTEGER PRIMARY KEY REFERENCES visits(id) ON DELETE CASCADE,
    summary TEXT NOT NULL DEFAULT '',
    period_from TEXT,
    period_to TEXT,
    indicators TEXT NOT NULL DEFAULT '{}',
    difficulties TEXT NOT NULL DEFAULT '[]',
    proposals TEXT NOT NULL DEFAULT '[]',
    attachment_sha256 TEXT,
    attachment_suffix TEXT,
    attachment_type TEXT,
    attachment_name TEXT,
    attachment_size INTEGER,
    applied TEXT NOT NULL DEFAULT '{}',
    submitted_at TEXT NOT NULL,
    submitted_by INTEGER REFERENCES users(id),
    revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1)
)
""")


@migrations()
def m022_signature_layout(db):
    """How a delegation's minutes place the signature blocks: 'three_party' (the host
    unit left, the delegation right, the secretary below) or 'mau_1_9' (Decree 30's
    Mẫu 1.9: THƯ KÝ left, CHỦ TỌA right). NULL: never chosen, the three-party layout
    (the API shows the field only once it has been chosen)."""
    _run(db, """
ALTER TABLE delegations ADD COLUMN signature_layout TEXT
    CHECK (signature_layout IS NULL OR signature_layout IN ('three_party','mau_1_9'))
""")


@migrations()
def m021_home_indexes(db):
    """The home page's lists without a scan on each load: what a user changed last
    (fields, list items and autosave messages by author), visits by status and date
    (upcoming, minutes to finalise or to sign), and the done claims awaiting the
    committee (a partial index: few rows, whatever the size of the follow-up).
    `must_change_password`: set when an administrator gives a temporary password; the
    user changes it before any other page."""
    _run(db, """
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
CREATE INDEX visit_fields_author ON visit_fields(updated_by, visit_id, updated_at);
CREATE INDEX visit_items_author ON visit_items(updated_by, visit_id, updated_at);
CREATE INDEX applied_changes_author ON applied_changes(user_id, visit_id, applied_at);
CREATE INDEX visits_status_started ON visits(status, started_at);
CREATE INDEX recommendations_claims ON recommendations(updated_at, item_id) WHERE status = 'done' AND accepted = 0
""")

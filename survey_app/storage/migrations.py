"""The schema's migrations, in order, each applied once (never edit an applied one); the
record, `apply_migrations` and the expected schema are in `schema.py`."""
from survey_app.storage.schema import _head, _run, migrations
from survey_app.storage import migrations_initial  # noqa: F401  (m001–m007, registered first)


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


@migrations()
def m019_survey_plan(db):
    """The survey plan (kế hoạch khảo sát) of a delegation: the period its visits fall
    in, the plan document's own fields (one row per delegation; its number counted per
    year and issuing body in plan_counters, like the minutes'); the schedule itself is
    the delegation's visits."""
    _run(db, """
ALTER TABLE delegations ADD COLUMN period_from TEXT NOT NULL DEFAULT '';
ALTER TABLE delegations ADD COLUMN period_to TEXT NOT NULL DEFAULT '';
CREATE TABLE survey_plans (
    delegation_id INTEGER PRIMARY KEY REFERENCES delegations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    year INTEGER NOT NULL,
    issued_date TEXT NOT NULL,
    issued_place TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    requirements TEXT NOT NULL DEFAULT '',
    report_days INTEGER NOT NULL DEFAULT 5 CHECK (report_days BETWEEN 0 AND 60),
    figures_from TEXT NOT NULL DEFAULT '',
    figures_to TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id)
);
CREATE TABLE plan_counters (
    body TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (body, year)
)
""")


@migrations()
def m025_minutes_wording(db):
    """A delegation's own wording of its minutes, each NULL until chosen (the API shows
    a field only then): the place of the date line (Decree 30: the issuing body's
    province by default), the copies and who keeps them (JSON [{holder, copies}]) and
    Nơi nhận (JSON list of lines)."""
    _run(db, "ALTER TABLE delegations ADD COLUMN minutes_place TEXT")
    _run(db, "ALTER TABLE delegations ADD COLUMN minutes_copies TEXT")
    _run(db, "ALTER TABLE delegations ADD COLUMN minutes_recipients TEXT")


@migrations()
def m018_unit_directory(db):
    """The units directory (đơn vị): a kind, a parent, and names compared after folding
    (survey_app/text.py): one live unit per (folded name, folded locality) instead of one
    per exact name; `search_key` is the name without diacritics for the search box. A
    merged unit stays (its id is in old audit entries) with `merged_into` set and is no
    longer listed. The table is rebuilt keeping every id (the rows are copied back into
    the new `units` after the old one is dropped, so the foreign keys of other tables
    find their parents again before the commit). Units that fold to the same name in
    the same locality are merged into the oldest here, their rows moved with them."""
    from survey_app.text import fold, search_key
    rows = [dict(zip(("id", "name", "locality"), row))
            for row in sorted(db.execute("SELECT id, name, locality FROM units").fetchall())]
    db.execute("PRAGMA defer_foreign_keys = ON")
    _run(db, """
DROP TABLE units;
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    locality TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    parent_id INTEGER REFERENCES units(id),
    name_key TEXT NOT NULL,
    locality_key TEXT NOT NULL DEFAULT '',
    search_key TEXT NOT NULL,
    merged_into INTEGER REFERENCES units(id),
    CHECK (merged_into IS NULL OR merged_into != id),
    CHECK (parent_id IS NULL OR parent_id != id)
);
CREATE INDEX units_name_key ON units(name_key, locality_key);
CREATE INDEX units_live_by_name ON units(name) WHERE merged_into IS NULL
""")
    keepers: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (fold(row["name"]), fold(row["locality"]))
        keeper = keepers.setdefault(key, row["id"])
        db.execute("INSERT INTO units (id, name, locality, name_key, locality_key, search_key, merged_into) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [row["id"], row["name"], row["locality"], key[0], key[1], search_key(row["name"]),
                    None if keeper == row["id"] else keeper])
        if keeper != row["id"]:
            for table in ("visits", "recommendations", "recommendation_updates", "users"):
                db.execute(f"UPDATE {table} SET unit_id = ? WHERE unit_id = ?", [keeper, row["id"]])
    _run(db, f"""
CREATE UNIQUE INDEX units_one_live_name ON units(name_key, locality_key) WHERE merged_into IS NULL;
CREATE TRIGGER visit_search_unit_update AFTER UPDATE OF name ON units
    BEGIN {_head("v.unit_id = new.id")}END
""")


@migrations()
def m024_survey_reports(db):
    """The survey report (báo cáo kết quả khảo sát) of a delegation: versions (draft →
    final → signed) with the secretary's wording, the number counter per body and year
    (`Số: 05/BC-BPC`), the drawn signature of the signer, and publication: every publish
    and withdrawal (with its reason) is a row kept on record. The report's own
    recommendations join the follow-up board: their tracking rows carry `report_id` and
    a hidden item of the delegation's last visit (the board's rows hang on a visit item)."""
    _run(db, """
CREATE TABLE survey_reports (
    id INTEGER PRIMARY KEY,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','final','signed')),
    wording TEXT NOT NULL DEFAULT '{}',
    body TEXT, year INTEGER, number INTEGER, symbol TEXT,
    input_json TEXT,
    content_sha256 TEXT,
    final_pdf_sha256 TEXT,
    signed_content_sha256 TEXT,
    signed_pdf_sha256 TEXT,
    signer_name TEXT, signature_sha256 TEXT, signed_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL, created_by INTEGER REFERENCES users(id),
    finalized_at TEXT, finalized_by INTEGER REFERENCES users(id),
    signed_at TEXT,
    published INTEGER NOT NULL DEFAULT 0,
    published_at TEXT,
    UNIQUE (delegation_id, version),
    UNIQUE (body, year, number)
);
CREATE INDEX survey_reports_content ON survey_reports(content_sha256);
CREATE INDEX survey_reports_signed_content ON survey_reports(signed_content_sha256);
CREATE INDEX survey_reports_published ON survey_reports(published, published_at);
CREATE TABLE survey_report_counters (
    body TEXT NOT NULL, year INTEGER NOT NULL, last_number INTEGER NOT NULL,
    PRIMARY KEY (body, year)
);
CREATE TABLE survey_report_publications (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES survey_reports(id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('publish','withdraw')),
    reason TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    by_user INTEGER REFERENCES users(id)
);
ALTER TABLE recommendations ADD COLUMN report_id INTEGER REFERENCES survey_reports(id);
CREATE INDEX recommendations_report ON recommendations(report_id) WHERE report_id IS NOT NULL
""")


@migrations()
def m026_photo_annotations(db):
    """Arrows and circles drawn on a photo on the tablet: the annotated copy is a
    stored file of its own (in `photos`), linked to the photo item it was drawn on;
    the original stays as it was. The newest copy of an item is the one the capture
    page shows and the minutes print; `uid` is the client-made id of the upload (a
    resend is the same row)."""
    _run(db, """
CREATE TABLE photo_annotations (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    item_uid TEXT NOT NULL REFERENCES visit_items(uid) ON DELETE CASCADE,
    sha256 TEXT NOT NULL REFERENCES photos(sha256),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX photo_annotations_item ON photo_annotations(item_uid, id)
""")


@migrations()
def m027_capture_presence(db):
    """Team capture, live: which member is in which section of a visit's capture page,
    one row per (visit, user), refreshed by the page's poll and dropped once older than
    the expiry (domain/visits/live.py), so the table holds only the members online now.
    An index on applied_changes by visit lets the poll read a visit's changes after a
    cursor (their rowid) without scanning the other visits' messages."""
    _run(db, """
CREATE TABLE capture_presence (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    section TEXT NOT NULL DEFAULT '',
    seen_at TEXT NOT NULL,
    PRIMARY KEY (visit_id, user_id)
) WITHOUT ROWID;
CREATE INDEX capture_presence_seen ON capture_presence(seen_at);
CREATE INDEX applied_changes_visit ON applied_changes(visit_id)
""")


# The board's ids of a survey report's own recommendations start here. A visit's
# recommendation takes the id of its item (visit_items, whose next id is max + 1), so
# the two kinds share one id space (/followup/r/ID) and a visit item never reaches these.
REPORT_RECOMMENDATION_IDS = 1 << 40


@migrations()
def m028_report_recommendations(db):
    """A survey report's recommendations belong to the report: their tracking rows carry
    `report_id` and no visit (`visit_id` NULL), and no longer hang on a hidden item of the
    delegation's last visit (the board showed that visit's date and links). The table
    keeps its rows, indexes and triggers: the two constraints that tied every row to a
    visit item (item_id's foreign key, visit_id's NOT NULL) are removed by SQLite's
    documented procedure for dropping constraints (edit the table's definition, bump the
    schema version, check integrity). Existing report rows move to their own id range
    with their updates and evidence; their hidden items are deleted."""
    table = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'recommendations'").fetchone()[0]
    new = table.replace("item_id INTEGER PRIMARY KEY REFERENCES visit_items(id) ON DELETE CASCADE",
                        "item_id INTEGER PRIMARY KEY", 1)
    new = new.replace("visit_id INTEGER NOT NULL REFERENCES visits(id)", "visit_id INTEGER REFERENCES visits(id)", 1)
    if new.count("visit_items") or "visit_id INTEGER NOT NULL" in new:
        raise RuntimeError("m028: unexpected definition of recommendations")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'recommendations'", [new])
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:  # never left on for the connection, whatever happens (the transaction rolls back)
        db.execute("PRAGMA writable_schema = OFF")
    if db.execute("PRAGMA integrity_check(recommendations)").fetchone()[0] != "ok":
        raise RuntimeError("m028: integrity check failed")
    db.execute("PRAGMA defer_foreign_keys = ON")
    rows = db.execute("SELECT item_id FROM recommendations WHERE report_id IS NOT NULL ORDER BY item_id").fetchall()
    for n, (old,) in enumerate(rows, start=1):
        for table_name in ("recommendations", "recommendation_updates", "recommendation_evidence"):
            db.execute(f"UPDATE {table_name} SET item_id = ? WHERE item_id = ?", [REPORT_RECOMMENDATION_IDS + n, old])
    _run(db, """
UPDATE recommendations SET visit_id = NULL WHERE report_id IS NOT NULL;
DELETE FROM visit_items WHERE kind = 'recommendation' AND deleted = 1
    AND json_extract(data, '$.report_id') IS NOT NULL
""")

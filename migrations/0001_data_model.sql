-- Ordinavo Customer Portal: the complete data model.
-- Written once for SQLite and PostgreSQL: TEXT ids (UUIDv7 made by the server),
-- timestamps as BIGINT Unix milliseconds, and no backend-specific types.
-- Flags are BIGINT 0/1: sqlx's Any driver cannot decode SQLite booleans.
-- `version` columns hold the change version from `sync_clock`; see server/src/storage/version.rs.

CREATE TABLE sync_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO sync_clock (id, version) VALUES (1, 0);

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher')),
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ar')),
    disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    segment TEXT NOT NULL DEFAULT '',
    external_ref TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    address_line TEXT NOT NULL,
    postal_code TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    country_code TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    external_ref TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX locations_customer ON locations (customer_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE portal_users (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL UNIQUE REFERENCES contacts (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ar')),
    last_sign_in_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A grant covers a whole customer, or the locations listed in portal_grant_locations.
CREATE TABLE portal_grants (
    id TEXT PRIMARY KEY,
    portal_user_id TEXT NOT NULL REFERENCES portal_users (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    whole_customer BIGINT NOT NULL CHECK (whole_customer IN (0, 1)),
    can_download BIGINT NOT NULL CHECK (can_download IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX portal_grants_user ON portal_grants (portal_user_id);

CREATE TABLE portal_grant_locations (
    grant_id TEXT NOT NULL REFERENCES portal_grants (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id),
    PRIMARY KEY (grant_id, location_id)
);

-- An invitation carries the grant the contact receives on acceptance.
CREATE TABLE portal_invitations (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    whole_customer BIGINT NOT NULL CHECK (whole_customer IN (0, 1)),
    can_download BIGINT NOT NULL CHECK (can_download IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    expires_at BIGINT NOT NULL,
    invited_by TEXT REFERENCES staff_users (id),
    accepted_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE portal_invitation_locations (
    invitation_id TEXT NOT NULL REFERENCES portal_invitations (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id),
    PRIMARY KEY (invitation_id, location_id)
);

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    submitted_by TEXT REFERENCES portal_users (id),
    kind TEXT NOT NULL CHECK (kind IN ('service', 'maintenance', 'appointment', 'support')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'in_review', 'accepted', 'planned', 'rejected', 'cancelled')),
    decision_reason TEXT,
    idempotency_key TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (submitted_by, idempotency_key)
);
CREATE INDEX requests_scope ON requests (customer_id, location_id);
CREATE INDEX requests_version ON requests (version);

CREATE TABLE request_time_windows (
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, position),
    CHECK (ends_at > starts_at)
);

CREATE TABLE targets (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    contact_id TEXT REFERENCES contacts (id),
    request_id TEXT UNIQUE REFERENCES requests (id),
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'scheduled', 'in_progress', 'on_hold', 'completed', 'cancelled')),
    internal_notes TEXT NOT NULL DEFAULT '',
    routing_score DOUBLE PRECISION,
    billing_trigger TEXT,
    assigned_employee TEXT,
    external_ref TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX targets_scope ON targets (customer_id, location_id);
CREATE INDEX targets_version ON targets (version);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL REFERENCES targets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    arrival_window_start BIGINT,
    arrival_window_end BIGINT,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
    shared_with_portal BIGINT NOT NULL CHECK (shared_with_portal IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX appointments_scope ON appointments (customer_id, location_id);
CREATE INDEX appointments_starts ON appointments (starts_at);
CREATE INDEX appointments_version ON appointments (version);

CREATE TABLE visit_reports (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL REFERENCES targets (id),
    appointment_id TEXT REFERENCES appointments (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    visit_date TEXT NOT NULL,
    internal_title TEXT NOT NULL,
    internal_body TEXT NOT NULL,
    internal_notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'published')),
    approved_at BIGINT,
    approved_by TEXT,
    portal_title TEXT,
    portal_summary TEXT,
    portal_message TEXT,
    published_at BIGINT,
    published_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX visit_reports_scope ON visit_reports (customer_id, location_id);
CREATE INDEX visit_reports_version ON visit_reports (version);

-- Exactly one owner: a report, a target or a request.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    report_id TEXT REFERENCES visit_reports (id),
    target_id TEXT REFERENCES targets (id),
    request_id TEXT REFERENCES requests (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    released BIGINT NOT NULL CHECK (released IN (0, 1)),
    released_at BIGINT,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    CHECK ((CASE WHEN report_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN target_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN request_id IS NULL THEN 0 ELSE 1 END) = 1)
);
CREATE INDEX attachments_scope ON attachments (customer_id, location_id);
CREATE INDEX attachments_version ON attachments (version);

CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL REFERENCES targets (id),
    origin_report_id TEXT REFERENCES visit_reports (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('required', 'planned', 'done', 'cancelled')),
    planned_appointment_id TEXT REFERENCES appointments (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX follow_ups_scope ON follow_ups (customer_id, location_id);
CREATE INDEX follow_ups_version ON follow_ups (version);

-- Only customer-safe milestones are ever written here.
CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    kind TEXT NOT NULL CHECK (kind IN (
        'request_submitted', 'request_accepted', 'request_rejected',
        'appointment_scheduled', 'appointment_rescheduled', 'appointment_cancelled',
        'visit_completed', 'report_shared', 'follow_up_required', 'follow_up_planned')),
    subject_id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX timeline_events_scope ON timeline_events (customer_id, location_id, occurred_at);
CREATE INDEX timeline_events_version ON timeline_events (version);

-- Internal-only records below: no portal query ever reads them.

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_url TEXT NOT NULL,
    event_kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    response_status INTEGER,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE connect_mapping_warnings (
    id TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers (id),
    location_id TEXT REFERENCES locations (id),
    source_system TEXT NOT NULL,
    external_ref TEXT NOT NULL,
    message TEXT NOT NULL,
    resolved_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('staff', 'api_key', 'portal_user', 'system')),
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_time ON audit_log (occurred_at);

CREATE TABLE employee_performance (
    id TEXT PRIMARY KEY,
    employee_ref TEXT NOT NULL,
    employee_name TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    visits_completed INTEGER NOT NULL,
    first_time_fix_rate DOUBLE PRECISION NOT NULL,
    average_on_site_minutes INTEGER NOT NULL,
    customer_rating DOUBLE PRECISION,
    created_at BIGINT NOT NULL
);

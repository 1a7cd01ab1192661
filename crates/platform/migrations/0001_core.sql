-- Fazhi core schema: organisations, accounts, sessions, event log, calendar, procedure kernel,
-- files, jobs, notifications, settings. Portable SQL: timestamps are UTC milliseconds (BIGINT),
-- calendar dates are 'YYYY-MM-DD' text, statuses are text, booleans are BOOLEAN.

CREATE TABLE orgs (
    id {{id}},
    parent_id BIGINT REFERENCES orgs(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    depth BIGINT NOT NULL,
    sort BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id, sort);
CREATE INDEX orgs_path ON orgs(path);

CREATE TABLE users (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    phone TEXT,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    scope_org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (user_id, role, scope_org_id)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users(id),
    citizen_phone TEXT,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_citizen ON sessions(citizen_phone);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE otp_codes (
    phone TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT NOT NULL,
    sends_in_window BIGINT NOT NULL DEFAULT 1,
    window_start BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id {{id}},
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    scopes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);

-- The event log: append-only, hash-chained. audit_head holds the last link so that deleting
-- the newest events is detected too.
CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    changes TEXT NOT NULL,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_entity ON events(entity, entity_id, seq);
CREATE INDEX events_actor ON events(actor_kind, actor_id, seq);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT
);

-- Procedure kernel: one row per case of any procedure; modules keep their own facts in a
-- table keyed by case id.
CREATE TABLE cases (
    id {{id}},
    procedure TEXT NOT NULL,
    case_no TEXT NOT NULL UNIQUE,
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    prev_state TEXT,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    assignee_id BIGINT REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    opened_on TEXT NOT NULL,
    clock_rule TEXT,
    clock_started_on TEXT,
    due_on TEXT,
    paused_on TEXT,
    extension_days BIGINT NOT NULL DEFAULT 0,
    extension_count BIGINT NOT NULL DEFAULT 0,
    warn_on TEXT,
    action_counts TEXT NOT NULL DEFAULT '{}',
    is_open BOOLEAN NOT NULL DEFAULT TRUE,
    closed_at BIGINT,
    supervised BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_org_open_due ON cases(org_id, is_open, due_on);
CREATE INDEX cases_assignee_open_due ON cases(assignee_id, is_open, due_on);
CREATE INDEX cases_proc_state ON cases(procedure, state, due_on);
CREATE INDEX cases_open_due ON cases(is_open, due_on);

-- Co-handling units (协办) of a case.
CREATE TABLE case_units (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    role TEXT NOT NULL,
    PRIMARY KEY (case_id, org_id)
);
CREATE INDEX case_units_org ON case_units(org_id, case_id);

CREATE TABLE case_sequences (
    key TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE procedure_settings (
    procedure TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (procedure, key)
);

CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE attachments (
    id {{id}},
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    purpose TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by_kind TEXT NOT NULL,
    uploaded_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_entity ON attachments(entity, entity_id);

CREATE TABLE jobs (
    id {{id}},
    kind TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    run_at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX jobs_due ON jobs(state, run_at);

CREATE TABLE notifications (
    id {{id}},
    user_id BIGINT REFERENCES users(id),
    org_id BIGINT REFERENCES orgs(id),
    case_id BIGINT REFERENCES cases(id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_org ON notifications(org_id, created_at);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

CREATE TABLE sms_outbox (
    id {{id}},
    phone TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    provider_ref TEXT
);

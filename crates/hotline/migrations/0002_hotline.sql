-- 12345 hotline and 市长信箱.

CREATE TABLE hotline_categories (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    handle_days BIGINT NOT NULL,
    default_org_id BIGINT REFERENCES orgs(id),
    attributes TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    sort BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE hotline_routes (
    id {{id}},
    position BIGINT NOT NULL,
    category_id BIGINT REFERENCES hotline_categories(id),
    town_id BIGINT REFERENCES orgs(id),
    village_id BIGINT REFERENCES orgs(id),
    keyword TEXT,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX hotline_routes_position ON hotline_routes(position);

CREATE TABLE hotline_tickets (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    channel TEXT NOT NULL,
    caller_name TEXT,
    caller_phone TEXT,
    category_id BIGINT REFERENCES hotline_categories(id),
    town_id BIGINT REFERENCES orgs(id),
    village_id BIGINT REFERENCES orgs(id),
    address TEXT,
    lat {{real}},
    lon {{real}},
    subject TEXT,
    description TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    urgency TEXT NOT NULL DEFAULT 'normal',
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    wants_reply BOOLEAN NOT NULL DEFAULT TRUE,
    publish_consent BOOLEAN NOT NULL DEFAULT FALSE,
    idempotency_key TEXT UNIQUE,
    dedupe_hash TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    dispatched_at BIGINT,
    replied_at BIGINT,
    closed_at BIGINT,
    reply_text TEXT,
    replied_on_time BOOLEAN,
    evaluation TEXT,
    evaluation_comment TEXT,
    evaluation_by TEXT,
    not_accepted_reason TEXT,
    alt_route TEXT,
    answer_text TEXT,
    merged_into BIGINT REFERENCES cases(id),
    return_requested_days BIGINT,
    extension_requested_days BIGINT,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    published_at BIGINT,
    publish_subject TEXT,
    publish_body TEXT,
    publish_reply TEXT,
    k_accepted BOOLEAN NOT NULL DEFAULT FALSE,
    k_closed BOOLEAN NOT NULL DEFAULT FALSE,
    k_on_time BOOLEAN NOT NULL DEFAULT FALSE,
    k_callback BOOLEAN NOT NULL DEFAULT FALSE,
    k_evaluated BOOLEAN NOT NULL DEFAULT FALSE,
    k_satisfied BOOLEAN NOT NULL DEFAULT FALSE,
    k_basic BOOLEAN NOT NULL DEFAULT FALSE,
    k_dissatisfied BOOLEAN NOT NULL DEFAULT FALSE,
    k_returned BOOLEAN NOT NULL DEFAULT FALSE,
    k_extended BOOLEAN NOT NULL DEFAULT FALSE,
    k_reopened BOOLEAN NOT NULL DEFAULT FALSE,
    k_supervised BOOLEAN NOT NULL DEFAULT FALSE,
    k_direct BOOLEAN NOT NULL DEFAULT FALSE,
    k_not_accepted BOOLEAN NOT NULL DEFAULT FALSE,
    kpi_org_id BIGINT NOT NULL DEFAULT 0,
    kpi_town_id BIGINT NOT NULL DEFAULT 0,
    kpi_category_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX hotline_tickets_phone ON hotline_tickets(caller_phone, received_at);
CREATE INDEX hotline_tickets_dedupe ON hotline_tickets(dedupe_hash, received_at);
CREATE INDEX hotline_tickets_received ON hotline_tickets(received_on);
CREATE INDEX hotline_tickets_org_day ON hotline_tickets(kpi_org_id, received_on);
CREATE INDEX hotline_tickets_town_day ON hotline_tickets(town_id, received_on);
CREATE INDEX hotline_tickets_cat_day ON hotline_tickets(category_id, received_on);
CREATE INDEX hotline_tickets_published ON hotline_tickets(published, published_at);

-- KPI counters, maintained in the same transaction as every ticket change, one row per
-- dimension value and day (dim: all, org, town, category). Each column is the number of
-- tickets received that day whose matching k_* flag is set.
CREATE TABLE hotline_kpi_daily (
    dim TEXT NOT NULL,
    dim_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    accepted BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    on_time BIGINT NOT NULL DEFAULT 0,
    callback BIGINT NOT NULL DEFAULT 0,
    evaluated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    basic BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    returned BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0,
    reopened BIGINT NOT NULL DEFAULT 0,
    supervised BIGINT NOT NULL DEFAULT 0,
    direct BIGINT NOT NULL DEFAULT 0,
    not_accepted BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, dim_id, day)
);

CREATE INDEX hotline_kpi_dim_day ON hotline_kpi_daily(dim, day);

CREATE TABLE hotline_kb (
    id {{id}},
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    category_id BIGINT REFERENCES hotline_categories(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE hotline_imports (
    id {{id}},
    filename TEXT NOT NULL,
    state TEXT NOT NULL,
    total_rows BIGINT NOT NULL DEFAULT 0,
    checked_rows BIGINT NOT NULL DEFAULT 0,
    imported BIGINT NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);

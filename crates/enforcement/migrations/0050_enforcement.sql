-- 行政执法: the enforcement officers with their certificates, and the administrative-penalty
-- case (the facts beside the kernel's `cases` row) with the officers assigned to it.

-- An officer of an enforcement unit. Auxiliaries (辅助人员) have no certificate and may never
-- be assigned to enforce (行政处罚法 Art. 42).
CREATE TABLE enf_officers (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    auxiliary BOOLEAN NOT NULL DEFAULT FALSE,
    cert_no TEXT UNIQUE,
    -- 执法领域 (rules::FIELDS).
    field TEXT,
    issued_on TEXT,
    expires_on TEXT,
    -- active, suspended (暂扣), revoked (吊销/注销).
    status TEXT NOT NULL DEFAULT 'active',
    training_hours BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enf_officers_org ON enf_officers(org_id, status);
CREATE INDEX enf_officers_expiry ON enf_officers(expires_on);

CREATE TABLE enf_cases (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    field TEXT NOT NULL,
    -- person or org: a person's name is masked in lists and in the published decision.
    party_kind TEXT NOT NULL,
    party_name TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    -- The Art. 58 category named at registration (rules::MAJOR); a hearing adds the duty.
    major TEXT NOT NULL DEFAULT 'none',
    facts TEXT,
    proposed TEXT,
    hearing_right BOOLEAN,
    notified_on TEXT,
    hearing_requested_on TEXT,
    hearing_notice_on TEXT,
    hearing_held_on TEXT,
    statement TEXT,
    review_result TEXT,
    review_opinion TEXT,
    reviewed_on TEXT,
    decision_no TEXT UNIQUE,
    decision TEXT,
    fine BIGINT,
    decided_by TEXT,
    decided_on TEXT,
    -- Recorded at the decision: within the decision period (90 days, extensions included), and
    -- whether Art. 58 required a legal review (the indicators read these, not recompute them).
    decided_in_time BOOLEAN,
    review_required BOOLEAN,
    service_due_on TEXT,
    served_on TEXT,
    service_method TEXT,
    disclosure_due_on TEXT,
    disclosed_on TEXT,
    disclosed_on_time BOOLEAN,
    archive_no TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enf_cases_org ON enf_cases(org_id, registered_on);
CREATE INDEX enf_cases_decided ON enf_cases(decided_on);

-- The officers assigned to a case, each checked at assignment (certificate, field, recusal).
CREATE TABLE enf_assignments (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    officer_id BIGINT NOT NULL REFERENCES enf_officers(id),
    assigned_on TEXT NOT NULL,
    PRIMARY KEY (case_id, officer_id)
);
CREATE INDEX enf_assignments_officer ON enf_assignments(officer_id);

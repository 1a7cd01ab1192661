-- 重大行政决策 (重大行政决策程序暂行条例, 国务院令第713号): the year's catalogue of decision
-- items (Art. 3 ¶3), the facts of each decision beside the kernel's `cases` row, and the record of
-- each statutory procedure — done, with its report, or not applicable, with the recorded reason.
-- The draft's text, its comment windows and the comments reuse the normative documents' tables
-- (normdoc_versions, normdoc_clauses, normdoc_windows, normdoc_notes), keyed by the case.

CREATE TABLE decision_catalogues (
    id {{id}},
    -- The 决策机关 (the city government) whose catalogue this is.
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- 经同级党委同意 (Art. 3 ¶3): the date and the reference of the Party committee's consent.
    party_approved_on TEXT,
    party_approval_ref TEXT,
    published_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, year)
);

CREATE TABLE decision_catalogue_items (
    id {{id}},
    catalogue_id BIGINT NOT NULL REFERENCES decision_catalogues(id),
    seq BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- Art. 3 ¶1 (1)–(5).
    category TEXT NOT NULL,
    -- 决策承办单位 (Art. 11).
    lead_org_id BIGINT NOT NULL REFERENCES orgs(id),
    planned TEXT,
    -- Added after publication: an adjustment (根据实际情况调整), with its reason.
    adjustment_reason TEXT,
    withdrawn_reason TEXT,
    case_id BIGINT REFERENCES cases(id),
    created_at BIGINT NOT NULL,
    UNIQUE (catalogue_id, seq)
);
CREATE INDEX decision_catalogue_items_cat ON decision_catalogue_items(catalogue_id);
CREATE INDEX decision_catalogue_items_lead ON decision_catalogue_items(lead_org_id);

CREATE TABLE major_decisions (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    item_id BIGINT REFERENCES decision_catalogue_items(id),
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    -- The draft concerns market actors' economic activity (Art. 29(1)): fair-competition review.
    market_related BOOLEAN NOT NULL DEFAULT FALSE,
    legal_basis TEXT,
    consultation TEXT,
    options TEXT,
    -- 合法性审查 (Art. 25–28).
    legality_materials TEXT,
    legality_sent_on TEXT,
    legality_until TEXT,
    legality_short_reason TEXT,
    legality_result TEXT,
    legality_opinion TEXT,
    legality_checks TEXT,
    adviser_opinion TEXT,
    legal_risk TEXT,
    legality_on TEXT,
    legality_by BIGINT REFERENCES users(id),
    -- 集体讨论决定 (Art. 29–30).
    meeting TEXT,
    meeting_on TEXT,
    majority TEXT,
    meeting_result TEXT,
    departure_reason TEXT,
    dissent TEXT,
    party_reported_on TEXT,
    party_report TEXT,
    published_on TEXT,
    publication TEXT,
    withheld_reason TEXT,
    archived_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX major_decisions_org ON major_decisions(org_id);
CREATE INDEX major_decisions_meeting ON major_decisions(meeting_on);

-- One row per statutory procedure of a decision, its latest record: `done` with what the law
-- asks of it, or `waived` with the reason it does not apply. kind: participation, hearing,
-- expert, risk, fair_competition, execution, evaluation.
CREATE TABLE major_procedures (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    report TEXT,
    reason TEXT,
    -- Kind-specific facts (risk level, hearing dates, evaluator…) as JSON.
    facts TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX major_procedures_case ON major_procedures(case_id, kind);
CREATE INDEX major_procedures_kind ON major_procedures(kind, status, recorded_on);

-- The experts of an expert review (Art. 19–20): each signs the written opinion; a direct
-- interest in the matter is flagged and refused.
CREATE TABLE major_experts (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    procedure_id BIGINT NOT NULL REFERENCES major_procedures(id),
    name TEXT NOT NULL,
    affiliation TEXT NOT NULL,
    opinion TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX major_experts_case ON major_experts(case_id);

-- Who sent a public comment, for grouping mass campaigns (a hash of the verified phone, never
-- shown); staff-registered comments have none.
ALTER TABLE normdoc_notes ADD COLUMN source TEXT;
CREATE INDEX normdoc_notes_window ON normdoc_notes(window_id, created_at);

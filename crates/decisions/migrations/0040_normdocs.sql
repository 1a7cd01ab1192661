-- 行政规范性文件 (normative documents): the facts beside the kernel's `cases` row, the text as
-- versions of numbered clauses, comment windows (each its own record, tied to the version it
-- asked about), comments and review opinions attached to a clause of a named version, and the
-- cleanup (清理) outcomes.

CREATE TABLE normdocs (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    -- The year of the 制定计划 the item belongs to.
    plan_year BIGINT NOT NULL,
    -- Closely related to market actors' business (优化营商环境条例 Art. 62): 30-day comment
    -- window, fair-competition review.
    market_related BOOLEAN NOT NULL DEFAULT FALSE,
    assessment TEXT,
    adoption_report TEXT,
    -- The version sent to legality review, its result (pass / fail), the opinion and the
    -- checklist answers (JSON: item code → yes/no).
    review_version BIGINT,
    review_result TEXT,
    review_opinion TEXT,
    review_checklist TEXT,
    reviewed_on TEXT,
    reviewer_id BIGINT REFERENCES users(id),
    meeting TEXT,
    meeting_on TEXT,
    -- 统一登记、统一编号、统一印发.
    doc_no TEXT UNIQUE,
    published_on TEXT,
    effective_on TEXT,
    valid_until TEXT,
    filing_due_on TEXT,
    filed_on TEXT,
    filed_on_time BOOLEAN,
    filed_to TEXT,
    -- 废止 / 失效: the first day the document is no longer in force.
    ended_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX normdocs_org ON normdocs(org_id, plan_year);
CREATE INDEX normdocs_published ON normdocs(published_on);

-- A version of the text; never changed once written. `in_force_from` is set when the version
-- is published (the first text, or an amendment adopted in a cleanup).
CREATE TABLE normdoc_versions (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    version_no BIGINT NOT NULL,
    note TEXT,
    in_force_from TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, version_no)
);

CREATE TABLE normdoc_clauses (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    version_no BIGINT NOT NULL,
    clause_no BIGINT NOT NULL,
    heading TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (case_id, version_no, clause_no)
);

CREATE TABLE normdoc_windows (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    version_no BIGINT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    days BIGINT NOT NULL,
    unit TEXT NOT NULL,
    shorter_reason TEXT,
    closed_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX normdoc_windows_case ON normdoc_windows(case_id);

-- Public comments (kind comment, tied to a window) and review opinions (kind review), each on a
-- clause of a named version (clause 0: the document as a whole).
CREATE TABLE normdoc_notes (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    window_id BIGINT REFERENCES normdoc_windows(id),
    version_no BIGINT NOT NULL,
    clause_no BIGINT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    received_on TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX normdoc_notes_case ON normdoc_notes(case_id, kind);

CREATE TABLE normdoc_cleanups (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    outcome TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    campaign TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX normdoc_cleanups_case ON normdoc_cleanups(case_id);
CREATE INDEX normdoc_cleanups_on ON normdoc_cleanups(decided_on, outcome);

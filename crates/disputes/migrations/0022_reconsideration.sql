-- 行政复议: the application's own facts beside the kernel's `cases` row (state and clock live
-- there), and the 行政复议意见书 / 建议书 the office sends to agencies, with their answers.

CREATE TABLE recon_applications (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    -- letter, counter, portal, email
    channel TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    -- natural, organisation
    applicant_kind TEXT NOT NULL,
    id_number TEXT,
    phone TEXT,
    address TEXT,
    -- The respondent (被申请人): an agency of the organisation tree, or named when outside it.
    respondent_org_id BIGINT REFERENCES orgs(id),
    respondent_name TEXT NOT NULL,
    -- The act contested and when the applicant learnt of it (Art. 20: 60 days from then).
    act_title TEXT NOT NULL,
    act_doc_no TEXT,
    act_known_on TEXT NOT NULL,
    -- The reason a late application is still in time (Art. 20 ¶2, Art. 21), when there is one.
    late_reason TEXT,
    request_text TEXT NOT NULL,
    received_on TEXT NOT NULL,
    -- ordinary, simple (Art. 53); set on acceptance.
    track TEXT,
    accepted_on TEXT,
    deemed_accepted BOOLEAN NOT NULL DEFAULT FALSE,
    correction_items TEXT,
    correction_due_on TEXT,
    corrected_on TEXT,
    reject_ground TEXT,
    competent_organ TEXT,
    extension_requested_days BIGINT,
    -- The decision: type (uphold, revoke…), its basis, the text, when and whether on time.
    decision_type TEXT,
    decision_basis TEXT,
    decision_text TEXT,
    decided_on TEXT,
    decided_on_time BOOLEAN,
    served_on TEXT,
    -- How the case ended: decided, mediated, withdrawn, settled, terminated, rejected, abandoned.
    outcome TEXT,
    concluded_on TEXT,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX recon_app_received ON recon_applications(received_on);
CREATE INDEX recon_app_decided ON recon_applications(decided_on);
CREATE INDEX recon_app_respondent ON recon_applications(respondent_org_id, decided_on);

-- 行政复议意见书 (Art. 76: the agency reports its correction within 60 days) and 建议书
-- (实施条例 Art. 57 ¶2), numbered per issuing unit and year.
CREATE TABLE recon_letters (
    id {{id}},
    kind TEXT NOT NULL,
    doc_no TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    case_id BIGINT REFERENCES cases(id),
    recipient_org_id BIGINT NOT NULL REFERENCES orgs(id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    answered_on TEXT,
    answer TEXT,
    answered_on_time BOOLEAN,
    escalated_on TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX recon_letters_issued ON recon_letters(org_id, issued_on);
CREATE INDEX recon_letters_recipient ON recon_letters(recipient_org_id, answered_on);
CREATE INDEX recon_letters_due ON recon_letters(answered_on, due_on);

-- 人民调解 and the other kinds of mediation: the mediators of an organisation (with what they
-- declared for the conflict-of-interest check), and a mediation case's own facts beside the
-- kernel's `cases` row.

CREATE TABLE mediators (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    specialty TEXT NOT NULL DEFAULT '',
    training TEXT NOT NULL DEFAULT '',
    available BOOLEAN NOT NULL DEFAULT TRUE,
    -- Declared relations, one a line: relatives' names, employer, other interests.
    relations TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX mediators_org ON mediators(org_id, available);

CREATE TABLE mediation_cases (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    -- people, admin, lawyer, industry
    kind TEXT NOT NULL,
    -- walk_in, court, petition, hotline, initiative
    source TEXT NOT NULL,
    court_case_no TEXT,
    hotline_ticket_no TEXT,
    summary TEXT NOT NULL,
    party_a TEXT NOT NULL,
    party_a_phone TEXT,
    party_b TEXT NOT NULL,
    party_b_phone TEXT,
    registered_on TEXT NOT NULL,
    mediator_id BIGINT REFERENCES mediators(id),
    -- written, oral (Arts. 28–30)
    agreement_kind TEXT,
    agreement_text TEXT,
    agreement_on TEXT,
    confirmation_applied_on TEXT,
    -- confirmed, refused: the court's answer to 司法确认 (Art. 33)
    confirmation_result TEXT,
    performance TEXT,
    -- agreement_written, agreement_oral, failed, withdrawn, refused
    closing_code TEXT,
    concluded_on TEXT
);
CREATE INDEX mediation_registered ON mediation_cases(registered_on, source);
CREATE INDEX mediation_concluded ON mediation_cases(concluded_on, source);

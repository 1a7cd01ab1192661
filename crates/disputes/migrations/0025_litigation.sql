-- 行政应诉: a suit against an agency of the city beside the kernel's `cases` row (the case
-- belongs to the defendant agency), and each hearing with who appeared for the agency.

CREATE TABLE lit_cases (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    court TEXT NOT NULL,
    court_case_no TEXT NOT NULL,
    plaintiff TEXT NOT NULL,
    cause TEXT NOT NULL,
    act_challenged TEXT NOT NULL,
    served_on TEXT NOT NULL,
    answered_on TEXT,
    answered_in_time BOOLEAN,
    first_outcome TEXT,
    first_on TEXT,
    appellant TEXT,
    -- The outcome in force (first instance not appealed, or second instance).
    final_outcome TEXT,
    effective_on TEXT,
    lost BOOLEAN,
    performance TEXT,
    closed_on TEXT
);
CREATE UNIQUE INDEX lit_court_no ON lit_cases(court_case_no);
CREATE INDEX lit_served ON lit_cases(served_on);
CREATE INDEX lit_effective ON lit_cases(effective_on);

CREATE TABLE lit_hearings (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    hearing_on TEXT NOT NULL,
    -- head, deputy, staff, none
    appearance TEXT NOT NULL,
    head_name TEXT,
    excuse TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX lit_hearings_case ON lit_hearings(case_id);
CREATE INDEX lit_hearings_on ON lit_hearings(hearing_on, org_id);

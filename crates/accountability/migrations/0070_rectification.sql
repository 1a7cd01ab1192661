-- 督察 findings and their rectification (法治政府建设与责任落实督察工作规定): the facts beside
-- the kernel's `cases` row. The case's unit (cases.org_id) is the unit inspected, which
-- rectifies; the inspection is named by its batch; the verifier is recorded so that the
-- register shows who closed the task and that it was not the unit itself.

CREATE TABLE rectifications (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- The inspection: e.g. 2020年度法治政府建设督察, 行政执法专项督察, 回头看.
    inspection TEXT NOT NULL,
    -- inspection (督察), special (专项督察), follow_up (回头看).
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    finding TEXT NOT NULL,
    found_on TEXT NOT NULL,
    -- The current rectification period (the kernel's clock holds the same date as due_on).
    due_on TEXT,
    measures TEXT,
    evidence TEXT,
    reported_on TEXT,
    -- Reported after the period ran: accepted, marked late.
    reported_late BOOLEAN,
    verified_on TEXT,
    verifier_id BIGINT REFERENCES users(id),
    verify_opinion TEXT,
    -- Times the task was sent back by verification or reopened by the 回头看.
    reopened BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX rectifications_org ON rectifications (org_id, year);
CREATE INDEX rectifications_year ON rectifications (year);

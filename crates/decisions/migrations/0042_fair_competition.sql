-- 公平竞争审查 (公平竞争审查条例, in force 2024-08-01): each policy measure beside the kernel's
-- `cases` row, every review opinion given on it (the drafter's own, the drafter's 初审 and the
-- market regulator's for measures the government itself issues; again when an exception's time
-- limit runs out or after a rectification), and the spot checks and complaints with 约谈.

CREATE TABLE fcr_measures (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- Issued by the government itself: reviewed by the market regulator (Art. 14).
    by_government BOOLEAN NOT NULL DEFAULT FALSE,
    -- The normative document or major decision the measure is, if it is one.
    linked_case_id BIGINT REFERENCES cases(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX fcr_measures_org ON fcr_measures(org_id);

-- stage: self (a department's own review), initial (the drafter's 初审 of a government measure),
-- regulator (the market regulator's). `self` and `regulator` opinions conclude the review.
CREATE TABLE fcr_opinions (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    stage TEXT NOT NULL,
    answers TEXT NOT NULL,
    found BIGINT NOT NULL,
    operators_views TEXT NOT NULL,
    public_views TEXT,
    conclusion TEXT NOT NULL,
    amendment TEXT,
    ground TEXT,
    no_alternative TEXT,
    until_on TEXT,
    termination TEXT,
    opinion TEXT NOT NULL,
    given_on TEXT NOT NULL,
    -- An exception whose time limit ran out: the day the review reopened.
    expired_on TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX fcr_opinions_case ON fcr_opinions(case_id);
CREATE INDEX fcr_opinions_given ON fcr_opinions(given_on, stage, conclusion);
CREATE INDEX fcr_opinions_until ON fcr_opinions(conclusion, until_on);

CREATE TABLE fcr_checks (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    source TEXT NOT NULL,
    finding TEXT NOT NULL,
    notes TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    rectify_by TEXT,
    rectified_on TEXT,
    rectification TEXT,
    interviewed_on TEXT,
    interviewee TEXT,
    interview_record TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX fcr_checks_case ON fcr_checks(case_id);
CREATE INDEX fcr_checks_on ON fcr_checks(checked_on);

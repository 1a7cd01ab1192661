-- 法律援助 (法律援助法 2021): the people who give aid (lawyers, grassroots legal workers, the
-- centre's staff) with what they declared for the conflict-of-interest check, and an
-- application's own facts beside the kernel's `cases` row: the declared means, the computed
-- eligibility and any override with its reason, the decision and whether it came in time, the
-- assignment, and the close-out with its standard code and the amounts recovered.

CREATE TABLE legal_aid_providers (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    firm TEXT NOT NULL DEFAULT '',
    -- lawyer, grassroots (基层法律服务工作者), staff (法律援助机构工作人员)
    kind TEXT NOT NULL,
    -- The account through which the provider closes the cases assigned to them.
    user_id BIGINT REFERENCES users(id),
    -- Declared relations, one a line: relatives, clients, employers.
    relations TEXT NOT NULL DEFAULT '',
    available BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX legal_aid_providers_org ON legal_aid_providers(org_id, available);
CREATE INDEX legal_aid_providers_user ON legal_aid_providers(user_id);

CREATE TABLE legal_aid_cases (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    -- portal, counter, referral
    channel TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    id_number TEXT,
    address TEXT,
    -- wages, work_injury, labour, social_insurance, support, state_comp, injury, family, criminal, other
    category TEXT NOT NULL,
    opponent TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL,
    migrant_worker BOOLEAN NOT NULL DEFAULT FALSE,
    household_size BIGINT,
    -- Declared monthly income of the household per person, in 元.
    monthly_income BIGINT,
    -- An Art. 42 / Art. 32 ground that dispenses with the means test.
    exempt_ground TEXT,
    -- The threshold in force when eligibility was computed (元 per person and month).
    threshold BIGINT NOT NULL,
    computed_eligible BOOLEAN NOT NULL,
    eligibility_basis TEXT NOT NULL,
    override_reason TEXT,
    received_on TEXT NOT NULL,
    -- granted, provisional (先行提供, Art. 44), refused
    decision TEXT,
    decided_on TEXT,
    decided_in_time BOOLEAN,
    late_reason TEXT,
    provider_id BIGINT REFERENCES legal_aid_providers(id),
    assigned_on TEXT,
    assigned_in_time BOOLEAN,
    -- judgment, ruling, mediation, settlement, withdrawal, arbitration, non_litigation, terminated, withdrawn
    closing_code TEXT,
    amount_recovered BIGINT NOT NULL DEFAULT 0,
    -- Of which migrant workers' wages (counted separately, seed 五).
    wages_recovered BIGINT NOT NULL DEFAULT 0,
    concluded_on TEXT,
    -- 1 (很不满意) … 5 (很满意), from the applicant.
    satisfaction BIGINT,
    rated_on TEXT
);
CREATE INDEX legal_aid_received ON legal_aid_cases(received_on, channel, category);
CREATE INDEX legal_aid_decided ON legal_aid_cases(decided_on);
CREATE INDEX legal_aid_concluded ON legal_aid_cases(concluded_on, closing_code);
CREATE INDEX legal_aid_phone ON legal_aid_cases(phone);
CREATE INDEX legal_aid_provider ON legal_aid_cases(provider_id);

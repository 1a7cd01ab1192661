-- 一村（社区）一法律顾问: the advisers (lawyers and grassroots legal workers, with their firm),
-- the village or community each serves, and the services they log there.

CREATE TABLE legal_advisers (
    id {{id}},
    name TEXT NOT NULL,
    -- lawyer, grassroots
    kind TEXT NOT NULL,
    firm TEXT NOT NULL,
    phone TEXT,
    created_at BIGINT NOT NULL
);

-- One adviser per village or community; an adviser serves several.
CREATE TABLE adviser_villages (
    org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
    adviser_id BIGINT NOT NULL REFERENCES legal_advisers(id),
    since TEXT NOT NULL
);
CREATE INDEX adviser_villages_adviser ON adviser_villages(adviser_id);

CREATE TABLE adviser_services (
    id {{id}},
    adviser_id BIGINT NOT NULL REFERENCES legal_advisers(id),
    -- The village or community served.
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- consult, lecture, review, mediation
    kind TEXT NOT NULL,
    served_on TEXT NOT NULL,
    -- People reached (人次).
    people BIGINT NOT NULL DEFAULT 1,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX adviser_services_on ON adviser_services(served_on, org_id);

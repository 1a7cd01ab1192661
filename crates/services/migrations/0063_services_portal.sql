-- The item's guide (办事指南) as the portal shows it, its online form defined as data, what an
-- online applicant filled in, and 好差评: the applicant's rating of each application, with the
-- follow-up a bad rating calls for.
ALTER TABLE svc_items ADD COLUMN life_event TEXT NOT NULL DEFAULT '';
-- One material per line.
ALTER TABLE svc_items ADD COLUMN materials TEXT NOT NULL DEFAULT '';
ALTER TABLE svc_items ADD COLUMN fee TEXT NOT NULL DEFAULT '不收费';
ALTER TABLE svc_items ADD COLUMN place TEXT NOT NULL DEFAULT '';
-- JSON list of {"name", "label", "required"}: the fields the online form asks besides the applicant.
ALTER TABLE svc_items ADD COLUMN form TEXT NOT NULL DEFAULT '[]';
CREATE INDEX svc_items_event ON svc_items(life_event);

ALTER TABLE svc_applications ADD COLUMN form_values TEXT;
-- The portal lists a verified phone's own applications.
CREATE INDEX svc_applications_phone ON svc_applications(applicant_phone);

CREATE TABLE svc_ratings (
    id {{id}},
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    item_id BIGINT NOT NULL REFERENCES svc_items(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
    score BIGINT NOT NULL,
    comment TEXT,
    rated_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- A bad rating (不满意, 非常不满意) is followed up by this day (working days, configurable).
    followup_due TEXT,
    followup_on TEXT,
    followup_note TEXT,
    followup_on_time BOOLEAN
);
CREATE INDEX svc_ratings_org ON svc_ratings(org_id, rated_on);
CREATE INDEX svc_ratings_due ON svc_ratings(followup_on, followup_due);

-- 一件事 (高效办成一件事): several items applied for with one form, where fields the items
-- share are asked once, one set of materials and one promised date; each member item is still
-- an application of its own on the kernel and records its own decision.
CREATE TABLE svc_bundles (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    life_event TEXT NOT NULL DEFAULT '',
    -- The bundle's one promised date, in working days from receipt: at most the sum of its
    -- members' committed limits (LEGAL-RULES §12.2), a local commitment.
    committed_days BIGINT NOT NULL,
    -- JSON list of {"name", "label", "required"}: the fields asked once for every member.
    shared_form TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);

CREATE TABLE svc_bundle_items (
    bundle_id BIGINT NOT NULL REFERENCES svc_bundles(id),
    item_id BIGINT NOT NULL REFERENCES svc_items(id),
    sort BIGINT NOT NULL,
    PRIMARY KEY (bundle_id, item_id)
);

CREATE TABLE svc_bundle_apps (
    id {{id}},
    bundle_id BIGINT NOT NULL REFERENCES svc_bundles(id),
    applicant TEXT NOT NULL,
    applicant_phone TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- JSON of the one form as filled in.
    form_values TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX svc_bundle_apps_phone ON svc_bundle_apps(applicant_phone);

ALTER TABLE svc_applications ADD COLUMN bundle_app_id BIGINT;
CREATE INDEX svc_applications_bundle ON svc_applications(bundle_app_id);

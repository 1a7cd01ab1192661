-- The catalogue's versions: an item changed (by hand or by an import) gets a new version, and
-- an application records the version in force on the day it was filed, so that what it was
-- promised (limits, mode, basis) can always be shown as it stood.
ALTER TABLE svc_items ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE svc_applications ADD COLUMN item_version BIGINT;

CREATE TABLE svc_item_versions (
    item_id BIGINT NOT NULL REFERENCES svc_items(id),
    version BIGINT NOT NULL,
    -- YYYY-MM-DD: in force from this day until the day the next version took over.
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    -- The item as it stood in this version (code, name, kind, basis, limits, level, mode), JSON.
    snapshot TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);

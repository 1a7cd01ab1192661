-- Failed public lookups (a ticket's progress by number and phone), counted per client address and
-- per phone so that lookups cannot enumerate tickets (auth::probe). Only failures are written.
CREATE TABLE lookup_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT
);

-- 1. 补充: what a citizen adds to a ticket already taken in, from an outside client (an Open311
-- service-request update, as FixMyStreet posts a follow-up). The event on the case's timeline
-- records that it came; this keeps the original text and what the client sent with it, and the
-- client's own id of it (`external_id`), so that a repeat is recognised and answered with the
-- same update id (the event's number) instead of being recorded twice.
CREATE TABLE hotline_supplements (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    event_seq BIGINT NOT NULL,
    channel TEXT NOT NULL,
    external_id TEXT,
    author_name TEXT,
    body TEXT NOT NULL,
    client_status TEXT,
    media_url TEXT,
    client_at BIGINT,
    created_at BIGINT NOT NULL
);
-- A client's id is unique per ticket (several NULLs allowed); it also serves the ticket page's
-- list by case.
CREATE UNIQUE INDEX hotline_supplements_external ON hotline_supplements(case_id, channel, external_id);

-- 2. Repeats of tickets without a phone number: on SQLite the intake batcher remembers the last
-- minute of them (the process is the database's only writer), so the index on the hash of their
-- text goes: a random key, it put every new ticket on a B-tree page of its own. PostgreSQL, where
-- several instances take in tickets and the database is asked, keeps it.
--@sqlite
DROP INDEX hotline_tickets_dedupe;
--@end

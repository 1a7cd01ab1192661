-- The public progress page reads each ticket's steps (action, time) by record: an index that
-- holds them answers without touching the event rows (which carry hashes and change lists).
-- It replaces the narrower index on the same leading columns.
CREATE INDEX events_steps ON events(entity, entity_id, seq, action, at);
DROP INDEX events_entity;

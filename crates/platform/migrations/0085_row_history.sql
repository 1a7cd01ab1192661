-- As-of evaluation of indicators (issue 16 §1): the figures "as they stood at the end of a day",
-- before later corrections. The event log says who changed what, in words; it does not hold the
-- columns an indicator's SQL reads. So the database keeps, for each table an indicator reads, the
-- image of a row before every change (and a marker when a row is created), written by triggers so
-- that no write path can forget it. `at` is the time of the change on the event log's clock: the
-- writing transaction stamps its images with the time of the event it appends (a paper record
-- registered with the date it was received, a historical import, keep their own times). Columns
-- of personal data (phone numbers, addresses, ID numbers) are left out of the images: no figure
-- counts by them, and a history must not keep what was corrected or erased.
CREATE TABLE row_history (
    id {{id}},
    tbl TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    -- NULL until the writing transaction stamps it (invisible to as-of evaluation until then).
    at BIGINT,
    -- The row before the change, as JSON; NULL for "the row did not exist yet" (creation).
    image TEXT
);
CREATE INDEX row_history_row ON row_history(tbl, row_id, at);
CREATE INDEX row_history_pending ON row_history(id) WHERE at IS NULL;

-- The tables whose history is kept, the column that identifies a row, and from when the history
-- is complete (NULL: since the table's first row; otherwise the moment tracking began on a table
-- that already held rows — an earlier day cannot be reconstructed).
CREATE TABLE row_history_tables (
    tbl TEXT PRIMARY KEY,
    key_column TEXT NOT NULL,
    complete_from BIGINT
);

--@postgres
CREATE OR REPLACE FUNCTION fazhi_row_history() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO row_history (tbl, row_id, at, image) VALUES (TG_TABLE_NAME, (to_jsonb(NEW) ->> TG_ARGV[0])::bigint, NULL, NULL);
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN
        RETURN NEW;
    END IF;
    -- Arguments after the key name columns of personal data, left out of the image.
    INSERT INTO row_history (tbl, row_id, at, image) VALUES (TG_TABLE_NAME, (to_jsonb(OLD) ->> TG_ARGV[0])::bigint, NULL, (to_jsonb(OLD) - TG_ARGV[1:])::text);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--@end

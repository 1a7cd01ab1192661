-- What a published document carries above its text (issue 10, #19): 索引号, given when it is
-- published from a counter per unit and year (case_sequences), unique; and 主题分类, the
-- subject from the national list. 发文机关 is the publishing unit's full name: no column.
ALTER TABLE disclosure_publications ADD COLUMN index_no TEXT;
ALTER TABLE disclosure_publications ADD COLUMN theme TEXT;

-- What was published before gets its numbers now, in order of publication, and the counters
-- go on from there.
UPDATE disclosure_publications
SET index_no = n.code || '/' || n.y || '-' || substr('00000' || n.s, length(n.s) + 1)
FROM (
    SELECT p.id, o.code, substr(p.published_on, 1, 4) AS y,
           CAST(ROW_NUMBER() OVER (PARTITION BY p.org_id, substr(p.published_on, 1, 4) ORDER BY p.published_on, p.id) AS TEXT) AS s
    FROM disclosure_publications p JOIN orgs o ON o.id = p.org_id
    WHERE p.published_on IS NOT NULL
) n
WHERE n.id = disclosure_publications.id;

INSERT INTO case_sequences (key, last)
SELECT 'publication-index:' || o.code || ':' || substr(p.published_on, 1, 4), COUNT(*)
FROM disclosure_publications p JOIN orgs o ON o.id = p.org_id
WHERE p.published_on IS NOT NULL
GROUP BY o.code, substr(p.published_on, 1, 4);

CREATE UNIQUE INDEX disclosure_pub_index_no ON disclosure_publications(index_no);

-- The SQLite search index gets a third column of filter tokens (unit, category, kind,
-- publication year, month and day; see src/disclosure/search/tags.rs), so that filters are
-- answered inside FTS5. The tokens of the text come from the Chinese segmenter, which SQL cannot
-- run: every indexed document is queued here and the background sweep indexes it again.
CREATE TABLE search_reindex (doc_id BIGINT PRIMARY KEY);
--@sqlite
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
INSERT INTO search_reindex (doc_id) SELECT id FROM search_docs;
--@end

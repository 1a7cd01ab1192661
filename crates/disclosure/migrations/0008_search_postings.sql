-- PostgreSQL: the search index becomes posting lists of our own, walked newest first (see
-- src/disclosure/search/postings.rs for why tsvector with GIN could not answer within 30 ms at a
-- million documents). Each document keeps its token sequence for the phrase check. The tokens
-- come from the Chinese segmenter, which SQL cannot run: every document is queued and the
-- background sweep indexes it again.
--@postgres
CREATE TABLE search_postings (
    term TEXT NOT NULL,
    block BIGINT NOT NULL,
    ids BYTEA NOT NULL,
    PRIMARY KEY (term, block)
);
ALTER TABLE search_docs ADD COLUMN tokens TEXT;
DROP INDEX search_docs_tsv;
ALTER TABLE search_docs DROP COLUMN tsv;
INSERT INTO search_reindex (doc_id) SELECT id FROM search_docs ON CONFLICT (doc_id) DO NOTHING;
--@end

-- Fewer index entries per intake (issue 3's write path). Every index entry is a B-tree page
-- the commit writes; an entry with a random key (a hash) is a page of its own each time.
-- * Duplicate detection finds a caller's recent tickets by phone (hotline_tickets_phone, which
--   the caller history needs anyway); only tickets without a number need the index by hash.
-- * Only published letters are looked up by publication date.
DROP INDEX hotline_tickets_dedupe;
CREATE INDEX hotline_tickets_dedupe ON hotline_tickets(dedupe_hash, received_at) WHERE caller_phone IS NULL;
DROP INDEX hotline_tickets_published;
CREATE INDEX hotline_tickets_published ON hotline_tickets(published_at) WHERE published = TRUE;

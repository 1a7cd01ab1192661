-- Documents issued on cases of every procedure (notices, decisions, opinions, agreements):
-- generated from templates administrators edit, numbered in the form the unit uses (文号 /
-- 案号), fixed as issued. `document_templates` holds the edited templates; a template never
-- edited is the one the feature ships (version 0).
CREATE TABLE document_templates (
    id {{id}},
    procedure TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    number_pattern TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    UNIQUE (procedure, code)
);

CREATE TABLE case_documents (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    procedure TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    number TEXT,
    body TEXT NOT NULL,
    -- The organ that issues it, in full, and the day it is dated.
    issuer TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    template_version BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents(case_id, id);
CREATE INDEX case_documents_kind ON case_documents(procedure, kind, issued_on);

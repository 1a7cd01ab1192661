-- The annual 法治政府建设 report (《法治政府建设与责任落实督察工作规定》, LEGAL-RULES §10):
-- templates as data (an ordered tree of sections: level 0 a paragraph without heading, level 1
-- a part 一、, level 2 a numbered sub-section （一）), reports drafted from a template for a year
-- and an organisation, each section's narrative with every version kept, comments, the values
-- frozen at 定稿, and the submission and publication recorded.

CREATE TABLE annual_templates (
    id {{id}},
    -- Stable code of a seeded template (seed2020, statutory); NULL for templates made in the UI.
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE annual_template_sections (
    id {{id}},
    template_id BIGINT NOT NULL REFERENCES annual_templates(id),
    position BIGINT NOT NULL,
    -- 0: a paragraph without heading (introduction, closing); 1: a part; 2: a sub-section.
    level BIGINT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    -- Narrative with placeholders: {hotline.received}, {hotline.close_rate|pct1},
    -- {hotline.received@channel=市长信箱}, {report.year}.
    body TEXT NOT NULL DEFAULT '',
    -- The statutory contents it covers, comma-separated codes (measures, shortcomings, leaders,
    -- plans, other).
    contents TEXT NOT NULL DEFAULT '',
    UNIQUE (template_id, position)
);

CREATE TABLE annual_reports (
    id {{id}},
    template_id BIGINT NOT NULL REFERENCES annual_templates(id),
    year BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    -- 文号, e.g. 示府〔2021〕12号.
    doc_no TEXT NOT NULL DEFAULT '',
    -- draft, frozen (定稿).
    state TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    frozen_at BIGINT,
    frozen_by BIGINT REFERENCES users(id),
    -- The report as frozen (JSON of compose::Rendered): it never changes afterwards.
    frozen_doc TEXT,
    submitted_on TEXT,
    submitted_to TEXT,
    published_on TEXT,
    published_url TEXT,
    UNIQUE (org_id, year)
);
CREATE INDEX annual_reports_year ON annual_reports (year, org_id);
CREATE INDEX annual_reports_published ON annual_reports (published_on);

CREATE TABLE annual_report_sections (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES annual_reports(id),
    position BIGINT NOT NULL,
    level BIGINT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    contents TEXT NOT NULL DEFAULT '',
    -- The current text (the newest of annual_section_versions).
    body TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (report_id, position)
);

CREATE TABLE annual_section_versions (
    id {{id}},
    section_id BIGINT NOT NULL REFERENCES annual_report_sections(id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    edited_by BIGINT REFERENCES users(id),
    edited_at BIGINT NOT NULL,
    UNIQUE (section_id, version)
);

CREATE TABLE annual_comments (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES annual_reports(id),
    section_id BIGINT NOT NULL REFERENCES annual_report_sections(id),
    author_id BIGINT REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX annual_comments_report ON annual_comments (report_id, section_id);

-- Each figure as frozen: its value and the definition it was computed by (a hash of the
-- indicator's Meta, with the Meta itself), so a later change of definition is visible.
CREATE TABLE annual_frozen_values (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES annual_reports(id),
    placeholder TEXT NOT NULL,
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    numerator BIGINT,
    denominator BIGINT,
    meta_hash TEXT NOT NULL,
    meta_json TEXT NOT NULL,
    UNIQUE (report_id, placeholder)
);

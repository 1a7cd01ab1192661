-- 政务公开: proactive disclosure (publications and their catalogue), disclosure on application
-- (the case facts beside the kernel's `cases` row), reply letters from editable templates, the
-- full-text search index over publications and published 市长信箱 letters, and the annual
-- report's hand-entered figures and narrative sections.

-- The catalogue of proactive disclosure (条例 Art. 20 (1)–(15), Art. 21 county items and 乡镇
-- items), as data: an administrator may add local items.
CREATE TABLE disclosure_categories (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    article TEXT NOT NULL,
    -- all: every organ (Art. 20); county: county governments and departments (Art. 21);
    -- town: 乡(镇) governments (Art. 21); local: added locally.
    scope TEXT NOT NULL,
    sort BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE disclosure_publications (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    category_id BIGINT NOT NULL REFERENCES disclosure_categories(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    doc_no TEXT,
    -- 规范性文件 etc.: the kind of document (normative, decision, notice, report, other).
    doc_kind TEXT NOT NULL DEFAULT 'other',
    formed_on TEXT NOT NULL,
    -- draft → review → published → withdrawn; review → draft when the review refuses.
    state TEXT NOT NULL,
    due_on TEXT NOT NULL,
    published_on TEXT,
    published_at BIGINT,
    on_time BOOLEAN,
    secrecy_checked BOOLEAN NOT NULL DEFAULT FALSE,
    third_party_checked BOOLEAN NOT NULL DEFAULT FALSE,
    review_opinion TEXT,
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at BIGINT,
    withdrawn_on TEXT,
    withdrawn_reason TEXT,
    -- A normative document's abolition (废止), for table 二 of the annual report.
    abolished_on TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX disclosure_pub_org_state ON disclosure_publications(org_id, state, published_on);
CREATE INDEX disclosure_pub_cat ON disclosure_publications(category_id, published_on);
CREATE INDEX disclosure_pub_state_pub ON disclosure_publications(state, published_on);
CREATE INDEX disclosure_pub_formed ON disclosure_publications(formed_on);

-- 依申请公开: the request's own facts; its state and clock live in `cases`.
CREATE TABLE disclosure_requests (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    channel TEXT NOT NULL,
    -- natural, commercial, research, public_interest, legal_service, other_org
    applicant_type TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    id_kind TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT,
    email TEXT,
    contact_person TEXT,
    description TEXT NOT NULL,
    doc_refs TEXT,
    purpose TEXT,
    delivery TEXT NOT NULL,
    received_on TEXT NOT NULL,
    correction_items TEXT,
    correction_due_on TEXT,
    corrected_on TEXT,
    correction_text TEXT,
    third_party TEXT,
    third_party_since TEXT,
    third_party_opinion TEXT,
    extension_requested_days BIGINT,
    outcome TEXT,
    outcome_reason TEXT,
    reply_text TEXT,
    concluded_on TEXT,
    replied_on_time BOOLEAN,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX disclosure_req_phone ON disclosure_requests(phone);
CREATE INDEX disclosure_req_received ON disclosure_requests(received_on);
CREATE INDEX disclosure_req_concluded ON disclosure_requests(concluded_on);

-- Editable letter templates (告知书), rendered in a sandbox (minijinja).
CREATE TABLE disclosure_templates (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id)
);

-- Letters as issued: the text is fixed when issued, whatever later edits of the template.
CREATE TABLE disclosure_letters (
    id {{id}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    template_code TEXT NOT NULL,
    template_version BIGINT NOT NULL,
    issued_at BIGINT NOT NULL
);
CREATE INDEX disclosure_letters_case ON disclosure_letters(case_id);

-- The search index: one row per searchable document (a publication or a published letter),
-- with the filters; the segmented text goes to the engine's own full-text index.
CREATE TABLE search_docs (
    id {{id}},
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    org_id BIGINT,
    category_id BIGINT,
    published_on TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_org ON search_docs(org_id, published_on);
CREATE INDEX search_docs_cat ON search_docs(category_id, published_on);
CREATE INDEX search_docs_day ON search_docs(published_on);

--@sqlite
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
--@end
--@postgres
ALTER TABLE search_docs ADD COLUMN tsv tsvector;
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
--@end

-- The annual report: figures entered by hand (where no module records them yet) and the
-- narrative sections, per report, unit (0 = the whole government) and year.
CREATE TABLE report_values (
    report TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    cell TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT,
    PRIMARY KEY (report, org_id, year, cell)
);

CREATE TABLE report_texts (
    report TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT,
    PRIMARY KEY (report, org_id, year, section)
);

-- The catalogue as the 条例 sets it (Art. 20 (1)–(15); Art. 21).
INSERT INTO disclosure_categories (code, name, article, scope, sort) VALUES
('A20-01', '行政法规、规章和规范性文件', '第二十条第（一）项', 'all', 1),
('A20-02', '机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名', '第二十条第（二）项', 'all', 2),
('A20-03', '国民经济和社会发展规划、专项规划、区域规划及相关政策', '第二十条第（三）项', 'all', 3),
('A20-04', '国民经济和社会发展统计信息', '第二十条第（四）项', 'all', 4),
('A20-05', '办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果', '第二十条第（五）项', 'all', 5),
('A20-06', '实施行政处罚、行政强制的依据、条件、程序以及有一定社会影响的行政处罚决定', '第二十条第（六）项', 'all', 6),
('A20-07', '财政预算、决算信息', '第二十条第（七）项', 'all', 7),
('A20-08', '行政事业性收费项目及其依据、标准', '第二十条第（八）项', 'all', 8),
('A20-09', '政府集中采购项目的目录、标准及实施情况', '第二十条第（九）项', 'all', 9),
('A20-10', '重大建设项目的批准和实施情况', '第二十条第（十）项', 'all', 10),
('A20-11', '扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况', '第二十条第（十一）项', 'all', 11),
('A20-12', '突发公共事件的应急预案、预警信息及应对情况', '第二十条第（十二）项', 'all', 12),
('A20-13', '环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况', '第二十条第（十三）项', 'all', 13),
('A20-14', '公务员招考的职位、名额、报考条件等事项以及录用结果', '第二十条第（十四）项', 'all', 14),
('A20-15', '法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息', '第二十条第（十五）项', 'all', 15),
('A21-C1', '市政建设', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 16),
('A21-C2', '公共服务', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 17),
('A21-C3', '公益事业', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 18),
('A21-C4', '土地征收', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 19),
('A21-C5', '房屋征收', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 20),
('A21-C6', '治安管理', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 21),
('A21-C7', '社会救助', '第二十一条（设区的市级、县级人民政府及其部门）', 'county', 22),
('A21-T1', '贯彻落实农业农村政策', '第二十一条（乡（镇）人民政府）', 'town', 23),
('A21-T2', '农田水利工程建设运营', '第二十一条（乡（镇）人民政府）', 'town', 24),
('A21-T3', '农村土地承包经营权流转', '第二十一条（乡（镇）人民政府）', 'town', 25),
('A21-T4', '宅基地使用情况审核', '第二十一条（乡（镇）人民政府）', 'town', 26),
('A21-T5', '土地征收', '第二十一条（乡（镇）人民政府）', 'town', 27),
('A21-T6', '房屋征收', '第二十一条（乡（镇）人民政府）', 'town', 28),
('A21-T7', '筹资筹劳', '第二十一条（乡（镇）人民政府）', 'town', 29),
('A21-T8', '社会救助', '第二十一条（乡（镇）人民政府）', 'town', 30);

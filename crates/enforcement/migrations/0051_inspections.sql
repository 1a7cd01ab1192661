-- 双随机、一公开: the item list, the entity directory, declared conflicts, plans and tasks, the
-- draw (pools snapshotted at the commitment, the seed committed by its hash) and the results.

-- 抽查事项清单: only items with a legal basis may be inspected (国办发〔2015〕58号).
CREATE TABLE enf_insp_items (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    basis TEXT NOT NULL,
    -- 执法领域 (rules::FIELDS): inspectors are certified in it.
    field TEXT NOT NULL,
    -- general (一般检查事项, ratio limited) or key (重点检查事项, no cap).
    kind TEXT NOT NULL DEFAULT 'general',
    -- The ratio in basis points (500 = 5%) and the inspections per year.
    ratio_bp BIGINT NOT NULL,
    per_year BIGINT NOT NULL DEFAULT 1,
    -- The entity types it applies to: all, enterprise, individual, cooperative, other.
    entity_type TEXT NOT NULL DEFAULT 'all',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, code)
);

-- 检查对象名录库, kept by the supervising unit.
CREATE TABLE enf_entities (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    town_id BIGINT REFERENCES orgs(id),
    -- 信用风险分类 A (低) … D (高).
    risk TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, uscc)
);
CREATE INDEX enf_entities_pool ON enf_entities(org_id, active, entity_type, town_id);

-- A declared conflict (回避): the officer is never drawn for the entity.
CREATE TABLE enf_conflicts (
    officer_id BIGINT NOT NULL REFERENCES enf_officers(id),
    entity_id BIGINT NOT NULL REFERENCES enf_entities(id),
    reason TEXT NOT NULL,
    declared_on TEXT NOT NULL,
    PRIMARY KEY (entity_id, officer_id)
);

CREATE TABLE enf_insp_plans (
    id {{id}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, year, title)
);

-- A task: one item drawn once. state: draft → committed (pools and seed hash published) →
-- drawn (seed revealed, result published) → published (results published).
CREATE TABLE enf_insp_tasks (
    id {{id}},
    plan_id BIGINT NOT NULL REFERENCES enf_insp_plans(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    item_id BIGINT NOT NULL REFERENCES enf_insp_items(id),
    title TEXT NOT NULL,
    town_id BIGINT REFERENCES orgs(id),
    ratio_a BIGINT NOT NULL,
    ratio_b BIGINT NOT NULL,
    ratio_c BIGINT NOT NULL,
    ratio_d BIGINT NOT NULL,
    team BIGINT NOT NULL DEFAULT 2,
    -- The public value named in advance (e.g. a lottery draw of a given date), if any.
    public_source TEXT,
    public_value TEXT,
    -- The last day of the inspections: results are due 20 working days after it.
    ends_on TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft',
    -- Secret until the draw; only its hash is shown before.
    seed TEXT,
    seed_hash TEXT,
    entity_hash TEXT,
    inspector_hash TEXT,
    conflict_hash TEXT,
    entity_count BIGINT,
    inspector_count BIGINT,
    committed_at BIGINT,
    drawn_at BIGINT,
    published_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enf_insp_tasks_plan ON enf_insp_tasks(plan_id);
CREATE INDEX enf_insp_tasks_org ON enf_insp_tasks(org_id, state);

-- The other units of a joint inspection (联合抽查): their officers join the inspector pool.
CREATE TABLE enf_insp_task_units (
    task_id BIGINT NOT NULL REFERENCES enf_insp_tasks(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (task_id, org_id)
);

-- The pools as snapshotted at the commitment.
CREATE TABLE enf_insp_pool_entities (
    task_id BIGINT NOT NULL REFERENCES enf_insp_tasks(id),
    uscc TEXT NOT NULL,
    risk TEXT NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES enf_entities(id),
    PRIMARY KEY (task_id, uscc)
);
CREATE TABLE enf_insp_pool_inspectors (
    task_id BIGINT NOT NULL REFERENCES enf_insp_tasks(id),
    cert_no TEXT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES enf_officers(id),
    PRIMARY KEY (task_id, cert_no)
);
CREATE TABLE enf_insp_pool_conflicts (
    task_id BIGINT NOT NULL REFERENCES enf_insp_tasks(id),
    uscc TEXT NOT NULL,
    cert_no TEXT NOT NULL,
    PRIMARY KEY (task_id, uscc, cert_no)
);

-- A drawn entity with its inspectors, then its result and follow-up.
CREATE TABLE enf_insp_targets (
    id {{id}},
    task_id BIGINT NOT NULL REFERENCES enf_insp_tasks(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    entity_id BIGINT NOT NULL REFERENCES enf_entities(id),
    seq BIGINT NOT NULL,
    uscc TEXT NOT NULL,
    risk TEXT NOT NULL,
    score TEXT NOT NULL,
    -- Certificate numbers, ';'-separated, in the order drawn.
    inspectors TEXT NOT NULL,
    -- ok (未发现问题), issues (发现问题), absent (未发现开展经营活动/查无下落).
    result TEXT,
    findings TEXT,
    inspected_on TEXT,
    entered_by TEXT,
    publish_due_on TEXT,
    published_on TEXT,
    published_on_time BOOLEAN,
    -- none, case (立案查处), transferred (移送), abnormal (列入经营异常名录).
    follow_up TEXT,
    follow_case_id BIGINT REFERENCES cases(id),
    follow_org_id BIGINT REFERENCES orgs(id),
    follow_note TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (task_id, seq)
);
CREATE INDEX enf_insp_targets_org ON enf_insp_targets(org_id, inspected_on);
CREATE INDEX enf_insp_targets_entity ON enf_insp_targets(entity_id);

-- 政务服务: the item catalogue (事项清单) and the applications (行政许可 and the other
-- 依申请 items) whose procedure runs on the kernel's `cases` row.

CREATE TABLE svc_items (
    id {{id}},
    -- The implementing unit (实施主体); its path scopes who may see and handle the item.
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- The national code (GB/T 39554.1 事项编码), unique in the catalogue.
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- licence, confirmation, payment, public_service, other
    kind TEXT NOT NULL,
    -- The legal basis with its articles, as written in the implementation list.
    basis TEXT NOT NULL,
    -- Working days (行政许可法 Art. 82): the statutory limit and the shorter committed one.
    statutory_days BIGINT NOT NULL,
    committed_days BIGINT NOT NULL,
    -- full_online (全程网办), no_visit (不见面), once (最多跑一次), onsite (现场)
    online_level TEXT NOT NULL,
    -- none, cancel (直接取消审批), filing (审批改为备案), commitment (实行告知承诺), optimise (优化审批服务)
    reform_mode TEXT NOT NULL DEFAULT 'none',
    -- Transferred to the approval bureau (一枚印章管审批).
    transferred BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX svc_items_org ON svc_items(org_id);

CREATE TABLE svc_applications (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    item_id BIGINT NOT NULL REFERENCES svc_items(id),
    -- online, counter
    channel TEXT NOT NULL,
    applicant TEXT NOT NULL,
    applicant_phone TEXT,
    received_on TEXT NOT NULL,
    -- The item's limits and mode as they stood when the application was filed: a later change of
    -- the catalogue does not change an application already running.
    statutory_days BIGINT NOT NULL,
    committed_days BIGINT NOT NULL,
    reform_mode TEXT NOT NULL,
    accepted_on TEXT,
    -- granted, denied, revoked
    outcome TEXT,
    decided_on TEXT
);
CREATE INDEX svc_applications_item ON svc_applications(item_id, received_on);

-- The channel (电话, 网上, 市长信箱, 接口, Open311, 历史导入) becomes a fifth dimension of the
-- hotline's indicator counters, so that the 市长信箱 is counted apart from the hotline. The keys
-- are `model::Channel::id`. Existing tickets are counted here once; from now on every change
-- moves the channel row with the others (queries::dims).
INSERT INTO hotline_kpi_daily (dim, dim_id, day, received, accepted, closed, on_time, callback, evaluated, satisfied, basic, dissatisfied, returned, extended, reopened, supervised, direct, not_accepted)
SELECT 'channel',
       CASE t.channel WHEN 'phone' THEN 1 WHEN 'web' THEN 2 WHEN 'mailbox' THEN 3 WHEN 'api' THEN 4 WHEN 'open311' THEN 5 WHEN 'import' THEN 6 ELSE 0 END,
       t.received_on,
       COUNT(*),
       SUM(CASE WHEN t.k_accepted THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_closed THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_on_time THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_callback THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_evaluated THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_satisfied THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_basic THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_dissatisfied THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_returned THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_extended THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_reopened THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_supervised THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_direct THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.k_not_accepted THEN 1 ELSE 0 END)
FROM hotline_tickets t
GROUP BY CASE t.channel WHEN 'phone' THEN 1 WHEN 'web' THEN 2 WHEN 'mailbox' THEN 3 WHEN 'api' THEN 4 WHEN 'open311' THEN 5 WHEN 'import' THEN 6 ELSE 0 END, t.received_on;

-- The event log is read by period (系统管理 › 事件日志: from a day to a day, and its export):
-- without an index on the time, every such filter walks the whole log.
CREATE INDEX events_at ON events(at, seq);

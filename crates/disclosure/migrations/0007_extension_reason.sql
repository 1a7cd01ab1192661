-- The reason given when an extension of the reply period is asked for (条例 Art. 33), kept so
-- that the 延长答复期限告知书 states it.
ALTER TABLE disclosure_requests ADD COLUMN extension_reason TEXT;

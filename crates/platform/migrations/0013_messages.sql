-- Messages to citizens go through the outbox and are delivered by the gateway adapter
-- (notify::gateway): each row carries its delivery state, its attempts and the next try, and a
-- key that makes a repeated enqueue a no-op and that the gateway uses to drop repeats
-- (Idempotency-Key). Rows that failed too often wait in the dead-letter list until an
-- administrator retries them. One-time codes (kind 'code') expire instead of being sent late.
ALTER TABLE sms_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'code';
ALTER TABLE sms_outbox ADD COLUMN case_id BIGINT;
ALTER TABLE sms_outbox ADD COLUMN dedupe_key TEXT;
ALTER TABLE sms_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE sms_outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN last_error TEXT;
ALTER TABLE sms_outbox ADD COLUMN claim TEXT;
ALTER TABLE sms_outbox ADD COLUMN claimed_until BIGINT;
UPDATE sms_outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
CREATE UNIQUE INDEX sms_outbox_dedupe ON sms_outbox(dedupe_key);
CREATE INDEX sms_outbox_due ON sms_outbox(status, next_attempt_at);
CREATE INDEX sms_outbox_phone ON sms_outbox(phone, id);
CREATE INDEX sms_outbox_claim ON sms_outbox(claim);

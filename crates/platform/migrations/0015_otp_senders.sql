-- One-time codes sent per client address (the phone alone was throttled: one address sent codes
-- to twenty numbers in a row). An address quiet for an hour starts afresh.
CREATE TABLE otp_senders (
    addr TEXT PRIMARY KEY,
    sends BIGINT NOT NULL,
    last_sent_at BIGINT NOT NULL
);

-- The login lockout counts failures per pair of account and client address (an account locked
-- as a whole could be kept out by anyone who knows its name), and per address as a whole
-- (account = ''). It replaces login_throttle, whose rows only ever held a lock of minutes.
DROP TABLE login_throttle;
CREATE TABLE login_locks (
    account TEXT NOT NULL,
    addr TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (account, addr)
);
CREATE INDEX login_locks_recent ON login_locks(last_failure_at);

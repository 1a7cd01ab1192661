-- Keys the server uses to sign what it hands out (the CSRF key first). Kept in the database so
-- that every instance behind a load balancer signs and checks alike; created at first start.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

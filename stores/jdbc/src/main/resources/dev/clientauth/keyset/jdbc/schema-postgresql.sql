-- The table of clientauth-keyset-jdbc (PostgreSQL). One row per key set; replicas change a row
-- only with "UPDATE ... WHERE name = ? AND version = ?" (compare-and-set on the version column).
-- content: the encoded key set (JSON; metadata authenticated and private keys encrypted under the
-- key set password, HSM keys by alias). Grant the application SELECT, INSERT and UPDATE only.
CREATE TABLE IF NOT EXISTS clientauth_key_set (
    name       VARCHAR(200) NOT NULL PRIMARY KEY,
    version    BIGINT       NOT NULL CHECK (version > 0),
    content    TEXT         NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The table of clientauth-keyset-jdbc for other SQL databases (H2, MySQL 8, MariaDB, SQL Server,
-- Oracle 23: replace TEXT by the database's large character type where it has none, e.g. CLOB).
-- One row per key set; replicas change a row only with
-- "UPDATE ... WHERE name = ? AND version = ?" (compare-and-set on the version column).
CREATE TABLE IF NOT EXISTS clientauth_key_set (
    name       VARCHAR(200) NOT NULL PRIMARY KEY,
    version    BIGINT       NOT NULL,
    content    TEXT         NOT NULL,
    updated_at TIMESTAMP    NOT NULL
);

package dev.clientauth.keyset.jdbc;

import dev.clientauth.jwt.keys.KeySetConflictException;
import dev.clientauth.jwt.keys.KeySetCorruptException;
import dev.clientauth.jwt.keys.KeySetStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link KeySetStore} in one row of a JDBC table, for replicas on several machines: every replica
 * (and the CLI) opens the same row, and a change goes in only with
 * {@code UPDATE ... SET version = v + 1 ... WHERE name = ? AND version = v}, so of replicas changing
 * the set at once exactly one succeeds; the first set is created with an {@code INSERT} that only
 * one can make. Each statement runs on its own and commits at once, so a replica that dies
 * mid-write leaves the old row or the new one, never a part.
 *
 * <p>The table (default {@code clientauth_key_set}; several key sets share it under different
 * names) is documented by the DDL in this jar ({@link #schema(String)}): {@code name}, {@code
 * version} (the optimistic version column), {@code content} (the encoded key set: metadata
 * authenticated and software keys encrypted under the key set password, HSM keys by alias, exactly
 * as in a key set file) and {@code updated_at}. The application needs SELECT, INSERT and UPDATE on
 * it; {@link #createTable()} runs the DDL for those who let the application own its schema.
 *
 * <p>Connections come from a {@link DataSource} (a pool: each call borrows one and gives it back),
 * or, built from a JDBC URL, from one connection this store opens, keeps and opens again after an
 * error. Every statement has a query timeout (default 5 s); set the driver's connect and socket
 * timeouts too (for PostgreSQL {@code connectTimeout} and {@code socketTimeout}). Errors name the
 * table, the key set and the SQL state, never the URL or a credential. Thread-safe.
 */
public final class JdbcKeySetStore implements KeySetStore, AutoCloseable {
    /** The default table name. */
    public static final String DEFAULT_TABLE = "clientauth_key_set";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    private static final int MAX_NAME = 200;

    private final Connections connections;
    private final String table;
    private final String name;
    private final int queryTimeoutSeconds;
    private final Clock clock;
    private final String select;
    private final String selectVersion;
    private final String insert;
    private final String update;

    private JdbcKeySetStore(Builder b) {
        this.connections = b.connections;
        this.table = b.table;
        this.name = b.name;
        this.queryTimeoutSeconds = (int) Math.max(1, b.queryTimeout.toSeconds());
        this.clock = b.clock;
        this.select = "SELECT version, content FROM " + table + " WHERE name = ?";
        this.selectVersion = "SELECT version FROM " + table + " WHERE name = ?";
        this.insert = "INSERT INTO " + table + " (name, version, content, updated_at) VALUES (?, 1, ?, ?)";
        this.update = "UPDATE " + table + " SET version = ?, content = ?, updated_at = ? WHERE name = ? AND version = ?";
    }

    /** A store whose connections come from {@code dataSource} (borrowed per call, as from a pool). */
    public static Builder builder(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new Builder(new PooledConnections(dataSource));
    }

    /**
     * A store that opens one connection to {@code jdbcUrl} with {@code properties} (for example
     * {@code user} and {@code password}), keeps it, and opens it again after an error. The URL and
     * the properties are never printed.
     */
    public static Builder builder(String jdbcUrl, Properties properties) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Properties copy = new Properties();
        copy.putAll(Objects.requireNonNull(properties, "properties"));
        return new Builder(new OwnedConnection(jdbcUrl, copy));
    }

    /**
     * The DDL of the table, as shipped in this jar: {@code "postgresql"} for PostgreSQL, anything
     * else for the portable version.
     */
    public static String schema(String database) {
        String resource = "postgresql".equalsIgnoreCase(database) ? "schema-postgresql.sql" : "schema.sql";
        try (InputStream in = JdbcKeySetStore.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the DDL " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the DDL " + resource, e);
        }
    }

    /** Creates the table if it does not exist (the shipped DDL, under this store's table name). */
    public void createTable() throws IOException {
        run("cannot create the table for", connection -> {
            String ddl = schema(connection.getMetaData().getDatabaseProductName()).replace(DEFAULT_TABLE, table);
            StringBuilder statement = new StringBuilder();
            for (String line : ddl.split("\n")) {
                if (!line.startsWith("--")) {
                    statement.append(line).append('\n');
                }
            }
            try (Statement create = connection.createStatement()) {
                create.setQueryTimeout(queryTimeoutSeconds);
                create.execute(statement.toString().strip().replaceAll(";$", ""));
            }
            commitIfNeeded(connection);
            return null;
        });
    }

    @Override
    public Stored load() throws IOException, KeySetCorruptException {
        return runOrCorrupt("cannot read", connection -> {
            try (PreparedStatement query = connection.prepareStatement(select)) {
                query.setQueryTimeout(queryTimeoutSeconds);
                query.setString(1, name);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        commitIfNeeded(connection);
                        return Stored.empty();
                    }
                    long version = row.getLong(1);
                    String content = row.getString(2);
                    commitIfNeeded(connection);
                    if (version <= 0 || content == null || content.isEmpty()) {
                        throw new KeySetCorruptException("key set " + description() + " has an implausible row (version "
                                + version + ")");
                    }
                    return new Stored(version, content.getBytes(StandardCharsets.UTF_8));
                }
            }
        });
    }

    @Override
    public long version() throws IOException {
        return run("cannot read the version of", connection -> {
            try (PreparedStatement query = connection.prepareStatement(selectVersion)) {
                query.setQueryTimeout(queryTimeoutSeconds);
                query.setString(1, name);
                try (ResultSet row = query.executeQuery()) {
                    long version = row.next() ? row.getLong(1) : 0;
                    commitIfNeeded(connection);
                    return version;
                }
            }
        });
    }

    @Override
    public void write(long expectedVersion, byte[] content) throws IOException {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must not be negative: " + expectedVersion);
        }
        String text = new String(Objects.requireNonNull(content, "content"), StandardCharsets.UTF_8);
        Timestamp now = Timestamp.from(clock.instant());
        int changed = run("cannot write", connection -> {
            int rows;
            if (expectedVersion == 0) {
                try (PreparedStatement statement = connection.prepareStatement(insert)) {
                    statement.setQueryTimeout(queryTimeoutSeconds);
                    statement.setString(1, name);
                    statement.setString(2, text);
                    statement.setTimestamp(3, now);
                    rows = statement.executeUpdate();
                } catch (SQLException e) {
                    rollbackIfNeeded(connection);
                    if (e.getSQLState() != null && e.getSQLState().startsWith("23")) { // integrity constraint: the row exists
                        return 0;
                    }
                    throw e;
                }
            } else {
                try (PreparedStatement statement = connection.prepareStatement(update)) {
                    statement.setQueryTimeout(queryTimeoutSeconds);
                    statement.setLong(1, expectedVersion + 1);
                    statement.setString(2, text);
                    statement.setTimestamp(3, now);
                    statement.setString(4, name);
                    statement.setLong(5, expectedVersion);
                    rows = statement.executeUpdate();
                }
            }
            commitIfNeeded(connection);
            return rows;
        });
        if (changed != 1) {
            throw new KeySetConflictException("key set " + description() + " was changed by another replica (expected version "
                    + expectedVersion + ")");
        }
    }

    private <T> T run(String what, Work<T> work) throws IOException {
        try {
            return runOrCorrupt(what, work);
        } catch (KeySetCorruptException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private <T> T runOrCorrupt(String what, Work<T> work) throws IOException, KeySetCorruptException {
        try {
            return connections.with(work);
        } catch (SQLException e) {
            throw new IOException(what + " key set " + description() + ": " + e.getClass().getSimpleName() + " (SQL state "
                    + e.getSQLState() + ")", e);
        }
    }

    private static void commitIfNeeded(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    private static void rollbackIfNeeded(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is broken; the pool or the next call deals with it
        }
    }

    @Override
    public String description() {
        return "'" + name + "' in table " + table;
    }

    /** Closes the connection this store opened (none when it borrows from a data source). */
    @Override
    public void close() {
        connections.close();
    }

    @Override
    public String toString() {
        return "JdbcKeySetStore[" + description() + "]";
    }

    /** Work done on a connection. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException, IOException, KeySetCorruptException;
    }

    /** Where connections come from. */
    private interface Connections {
        /** Runs {@code work} on a connection; after an {@link SQLException} an owned connection is opened again next time. */
        <T> T with(Work<T> work) throws SQLException, IOException, KeySetCorruptException;

        void close();
    }

    private static final class PooledConnections implements Connections {
        private final DataSource dataSource;

        PooledConnections(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public <T> T with(Work<T> work) throws SQLException, IOException, KeySetCorruptException {
            try (Connection connection = dataSource.getConnection()) {
                return work.run(connection);
            }
        }

        @Override
        public void close() {
        }
    }

    /** One connection, used by one call at a time, opened again after a failure. */
    private static final class OwnedConnection implements Connections {
        private final String url;
        private final Properties properties;
        private Connection connection;

        OwnedConnection(String url, Properties properties) {
            this.url = url;
            this.properties = properties;
        }

        @Override
        public synchronized <T> T with(Work<T> work) throws SQLException, IOException, KeySetCorruptException {
            if (connection == null) {
                connection = DriverManager.getConnection(url, properties);
                connection.setAutoCommit(true);
            }
            try {
                return work.run(connection);
            } catch (SQLException e) {
                close();
                throw e;
            }
        }

        @Override
        public synchronized void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // it is broken already
                }
                connection = null;
            }
        }
    }

    /** Configures a {@link JdbcKeySetStore}. Not thread-safe. */
    public static final class Builder {
        private final Connections connections;
        private String table = DEFAULT_TABLE;
        private String name = "default";
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();

        private Builder(Connections connections) {
            this.connections = connections;
        }

        /** The table (optionally {@code schema.table}, plain identifiers only); default {@value #DEFAULT_TABLE}. */
        public Builder table(String table) {
            if (!IDENTIFIER.matcher(Objects.requireNonNull(table, "table")).matches()) {
                throw new IllegalArgumentException("table must be an identifier or schema.identifier (letters, digits, _)");
            }
            this.table = table;
            return this;
        }

        /** The key set's name, its row's key; default {@code default}. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > MAX_NAME || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("name must be 1 to " + MAX_NAME + " printable ASCII characters");
            }
            this.name = name;
            return this;
        }

        /** The timeout of every statement; default 5 s, at least 1 s. */
        public Builder queryTimeout(Duration timeout) {
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("queryTimeout must be at least 1 second: " + timeout);
            }
            this.queryTimeout = timeout;
            return this;
        }

        /** The clock of {@code updated_at}; default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JdbcKeySetStore build() {
            return new JdbcKeySetStore(this);
        }
    }
}

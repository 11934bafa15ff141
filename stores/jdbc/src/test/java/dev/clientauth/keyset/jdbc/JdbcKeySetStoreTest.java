package dev.clientauth.keyset.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.keys.KeySetConflictException;
import dev.clientauth.jwt.keys.KeySetCorruptException;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.ManagedKey;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC store against a real PostgreSQL: compare-and-set, the DDL, errors, and replicas starting and rotating at once. */
class JdbcKeySetStoreTest {
    static final Secret PASSWORD = Secret.of("key-set-password");
    private static PostgresServer postgres;
    private static int names;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.withTable();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static JdbcKeySetStore store(String name) {
        return postgres.store(name);
    }

    private static synchronized String freshName() {
        return "set-" + (++names);
    }

    @Test
    void compareAndSet_onlyFromTheStoredVersion() throws Exception {
        try (JdbcKeySetStore first = store("cas"); JdbcKeySetStore second = store("cas")) {
            assertEquals(0, first.version());
            assertNull(first.load().content());
            first.write(0, bytes("{\"v\":1}"));
            assertThrows(KeySetConflictException.class, () -> second.write(0, bytes("{\"other\":1}")),
                    "only one replica creates the set");
            assertEquals(1, second.version());
            second.write(1, bytes("{\"v\":2}"));
            KeySetConflictException stale = assertThrows(KeySetConflictException.class, () -> first.write(1, bytes("{\"v\":\"lost\"}")));
            assertTrue(stale.getMessage().contains("'cas' in table clientauth_key_set"), stale.getMessage());
            KeySetStore.Stored stored = first.load();
            assertEquals(2, stored.version());
            assertArrayEquals(bytes("{\"v\":2}"), stored.content(), "the stale write changed nothing");
            assertFalse(stored.toString().contains("{"), "the content is never printed: " + stored);
            try (Connection connection = postgres.connect(); Statement query = connection.createStatement();
                    ResultSet row = query.executeQuery("SELECT version, updated_at FROM clientauth_key_set WHERE name = 'cas'")) {
                assertTrue(row.next());
                assertEquals(2, row.getLong(1));
                assertTrue(row.getTimestamp(2).toInstant().isAfter(Instant.now().minusSeconds(60)));
            }
        }
    }

    @Test
    void ddl_shippedInTheJar_documentsTheTable_andCreatesOtherTables() throws Exception {
        String ddl = JdbcKeySetStore.schema("postgresql");
        for (String column : List.of("name", "version", "content", "updated_at", "PRIMARY KEY")) {
            assertTrue(ddl.contains(column), column);
        }
        assertTrue(JdbcKeySetStore.schema("h2").contains("CREATE TABLE IF NOT EXISTS clientauth_key_set"));
        try (JdbcKeySetStore custom = JdbcKeySetStore.builder(postgres.url(), postgres.credentials())
                .table("public.team_keys").name("x").build()) {
            custom.createTable();
            custom.createTable(); // idempotent
            custom.write(0, bytes("{}"));
            assertEquals(1, custom.version());
        }
        for (String bad : List.of("keys; DROP TABLE clientauth_key_set", "a b", "\"quoted\"", "", "x.y.z")) {
            assertThrows(IllegalArgumentException.class, () -> JdbcKeySetStore.builder(postgres.url(), new Properties()).table(bad),
                    bad);
        }
        assertThrows(IllegalArgumentException.class, () -> JdbcKeySetStore.builder(postgres.url(), new Properties()).name("\n"));
        assertThrows(IllegalArgumentException.class, () -> JdbcKeySetStore.builder(postgres.url(), new Properties())
                .queryTimeout(Duration.ofMillis(10)));
    }

    @Test
    void unreachableDatabase_typedError_noUrlOrCredentialInIt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        Properties credentials = new Properties();
        credentials.setProperty("user", "app");
        credentials.setProperty("password", "db-password-do-not-print");
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres?connectTimeout=1&ApplicationName=secret-app-name";
        try (JdbcKeySetStore store = JdbcKeySetStore.builder(url, credentials).name("x").build()) {
            long started = System.nanoTime();
            IOException e = assertThrows(IOException.class, store::version);
            assertFalse(e instanceof KeySetConflictException);
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 5);
            assertTrue(e.getMessage().contains("'x' in table clientauth_key_set") && e.getMessage().contains("SQL state 08"),
                    e.getMessage());
            for (String secret : List.of("db-password-do-not-print", "secret-app-name", String.valueOf(closedPort))) {
                assertFalse(e.getMessage().contains(secret), e.getMessage());
                assertFalse(store.toString().contains(secret));
            }
            assertThrows(IOException.class, () -> store.write(0, bytes("{}")));
            assertThrows(IOException.class, store::load);
        }
    }

    @Test
    void implausibleRow_isCorrupt_notUsed() throws Exception {
        try (JdbcKeySetStore store = store("planted"); Connection connection = postgres.connect();
                Statement plant = connection.createStatement()) {
            plant.executeUpdate("INSERT INTO clientauth_key_set (name, version, content, updated_at) VALUES ('planted', 7, '', now())");
            assertThrows(KeySetCorruptException.class, store::load);
            plant.executeUpdate("UPDATE clientauth_key_set SET content = '{\"not\":\"a key set\"}' WHERE name = 'planted'");
            KeySetCorruptException e = assertThrows(KeySetCorruptException.class, () -> RotatingKeySet.builder(store, PASSWORD,
                    SoftwareKeyGenerator.create()).build());
            assertTrue(e.getMessage().contains("'planted'"), e.getMessage());
        }
    }

    @Test
    void dataSource_connectionsBorrowedAndReturned_nonAutoCommitCommitted() throws Exception {
        CountingDataSource dataSource = new CountingDataSource();
        String name = freshName();
        JdbcKeySetStore store = JdbcKeySetStore.builder(dataSource).name(name).build();
        RotatingKeySet keys = RotatingKeySet.builder(store, PASSWORD, SoftwareKeyGenerator.create()).build();
        assertEquals(dataSource.opened, dataSource.closed, "every borrowed connection was given back");
        assertTrue(dataSource.opened >= 2);
        try (JdbcKeySetStore other = store(name)) {
            assertEquals(1, other.version(), "committed although the pool's connections do not auto-commit");
            RotatingKeySet replica = RotatingKeySet.builder(other, PASSWORD, SoftwareKeyGenerator.create()).build();
            assertEquals(keys.activeKey().keyId(), replica.activeKey().keyId());
        }
    }

    @Test
    void replicasStartingAndRotatingAtOnce_oneSetAndOneRotation() throws Exception {
        String name = freshName();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        int replicas = 4;
        List<JdbcKeySetStore> stores = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Callable<RotatingKeySet>> starts = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                JdbcKeySetStore store = store(name);
                stores.add(store);
                starts.add(() -> RotatingKeySet.builder(store, PASSWORD, SoftwareKeyGenerator.create())
                        .rotationInterval(Duration.ofDays(1)).clock(clock).build());
            }
            List<RotatingKeySet> sets = new ArrayList<>();
            for (Future<RotatingKeySet> started : pool.invokeAll(starts)) {
                sets.add(started.get());
            }
            Set<String> active = new HashSet<>();
            sets.forEach(s -> active.add(s.activeKey().keyId()));
            assertEquals(1, active.size(), "one set was created, the others loaded it");
            assertEquals(1, stores.get(0).version());

            clock.advance(Duration.ofDays(1).plusMinutes(1));
            List<Callable<Boolean>> maintenance = new ArrayList<>();
            sets.forEach(s -> maintenance.add(s::maintain));
            int changed = 0;
            for (Future<Boolean> done : pool.invokeAll(maintenance)) {
                changed += done.get() ? 1 : 0;
            }
            assertEquals(1, changed, "exactly one replica rotated");
            assertEquals(2, stores.get(0).version());
            clock.advance(Duration.ofSeconds(31));
            Set<String> after = new HashSet<>();
            for (RotatingKeySet set : sets) {
                after.add(set.currentKey().keyId().orElseThrow());
                assertEquals(3, set.keys().size(), set.keys().toString());
            }
            assertEquals(1, after.size());
            assertFalse(after.containsAll(active));
            assertTrue(sets.get(0).keys().stream().map(ManagedKey::keyId).anyMatch(active::contains), "the old key is retired");
        } finally {
            pool.shutdownNow();
            stores.forEach(JdbcKeySetStore::close);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A data source whose connections do not auto-commit (as some pools configure them), counting borrow and return. */
    private static final class CountingDataSource implements DataSource {
        int opened;
        int closed;

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = postgres.connect();
            real.setAutoCommit(false);
            opened++;
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            closed++;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}

package dev.clientauth.keyset.jdbc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster on 127.0.0.1 and a free port, in a temporary directory: made with
 * {@code initdb}, started and stopped with {@code pg_ctl} (which stops the server it started, by
 * the PID in its data directory). As root the cluster runs as the {@code postgres} user (initdb
 * refuses root). Missing PostgreSQL: the test fails when {@code CI=true}, else it is reported as an
 * assumption failure.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private boolean running;

    public PostgresServer() throws IOException {
        this.bin = binaries();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            this.port = socket.getLocalPort();
        }
        this.dir = Files.createTempDirectory("clientauth-pg");
        this.asPostgres = "root".equals(System.getProperty("user.name"));
        if (asPostgres) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        run(bin.resolve("initdb") + " -D " + dir.resolve("data") + " -A trust -U app --no-sync -E UTF8 --locale=C");
        start();
    }

    /** The binaries of the newest installed PostgreSQL (Debian puts them under /usr/lib/postgresql/N/bin). */
    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(b -> b.getParent().getFileName().toString(),
                                Comparator.comparingInt(v -> v.matches("\\d+") ? Integer.parseInt(v) : 0)))
                        .orElse(null);
                if (newest != null) {
                    return newest;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("PostgreSQL is not installed (apt-get install postgresql); CI needs it");
        }
        org.junit.jupiter.api.Assumptions.abort("PostgreSQL is not installed");
        return null;
    }

    public void start() throws IOException {
        run(bin.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -o '-k " + dir + " -p " + port
                + " -h 127.0.0.1 -c fsync=off' -l " + dir.resolve("log") + " -w -t 30 start");
        running = true;
    }

    /** Stops the server; {@code immediate} is a crash (no shutdown checkpoint), else a fast clean stop. */
    public void stop(boolean immediate) throws IOException {
        run(bin.resolve("pg_ctl") + " -D " + dir.resolve("data") + " -m " + (immediate ? "immediate" : "fast") + " -w -t 30 stop");
        running = false;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=2&socketTimeout=10";
    }

    public Properties credentials() {
        Properties properties = new Properties();
        properties.setProperty("user", "app");
        return properties;
    }

    /** A server with the key set table created. */
    public static PostgresServer withTable() throws IOException {
        PostgresServer server = new PostgresServer();
        try (JdbcKeySetStore store = server.store("default")) {
            store.createTable();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** A store of the key set {@code name} on this server, with its own connection. */
    public JdbcKeySetStore store(String name) {
        return JdbcKeySetStore.builder(url(), credentials()).name(name).build();
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), credentials());
    }

    private void run(String command) throws IOException {
        List<String> argv = new ArrayList<>();
        if (asPostgres) {
            argv.addAll(List.of("su", "postgres", "-s", "/bin/sh", "-c", command));
        } else {
            argv.addAll(List.of("/bin/sh", "-c", command));
        }
        Path output = Files.createTempFile("clientauth-pg-cmd", ".log");
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!waitFor(process)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            if (process.exitValue() != 0) {
                String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
                throw new IOException("failed (" + process.exitValue() + "): " + command + "\n" + Files.readString(output) + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean waitFor(Process process) throws IOException {
        try {
            return process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (running) {
                stop(false);
            }
        } finally {
            run("rm -rf " + dir.resolve("data"));
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}

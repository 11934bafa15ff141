package dev.clientauth.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} on 127.0.0.1 and a free port, in a temporary directory, started
 * and stopped by the test (its own process, stopped by its handle). Missing {@code redis-server}:
 * the test fails when {@code CI=true}, else it is reported as an assumption failure.
 */
final class RedisServer implements AutoCloseable {
    final int port;
    private final Path dir;
    private Process process;

    RedisServer() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            this.port = socket.getLocalPort();
        }
        this.dir = Files.createTempDirectory("clientauth-redis");
        start();
    }

    static String binary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    void start() throws IOException {
        String binary = binary();
        if (binary == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("redis-server is not installed (apt-get install redis-server); CI needs it");
            }
            org.junit.jupiter.api.Assumptions.abort("redis-server is not installed");
        }
        process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "yes")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                if (socket.isConnected()) {
                    return;
                }
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        throw new IOException("redis-server did not start on port " + port + ": " + Files.readString(dir.resolve("redis.log")));
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }
}

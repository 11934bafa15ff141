package dev.clientauth.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Lettuce connection with a timeout per command (reconnecting by itself), its client when it
 * owns one, and the once-per-change log of Redis going away and coming back.
 */
final class Connection implements AutoCloseable {
    private final RedisClient client;
    private final boolean ownsClient;
    private final StatefulRedisConnection<String, String> connection;
    private final Logger log;
    private final String name;
    private final String whileDown;
    private final AtomicBoolean unavailable = new AtomicBoolean();

    Connection(RedisURI uri, RedisClient shared, Duration timeout, Logger log, String name, String whileDown) {
        this.client = shared != null ? shared : RedisClient.create(uri);
        this.ownsClient = shared == null;
        this.connection = client.connect();
        this.connection.setTimeout(timeout);
        this.log = log;
        this.name = name;
        this.whileDown = whileDown;
    }

    RedisCommands<String, String> sync() {
        return connection.sync();
    }

    /** A command failed: logs once that Redis is unavailable. */
    void down(RuntimeException e) {
        if (unavailable.compareAndSet(false, true)) {
            log.log(Level.WARNING, "{0}: Redis unavailable ({1}); {2}", name, e.getClass().getSimpleName(), whileDown);
        }
    }

    /** A command succeeded: logs once that Redis is back. */
    void up() {
        if (unavailable.compareAndSet(true, false)) {
            log.log(Level.INFO, "{0}: Redis available again", name);
        }
    }

    @Override
    public void close() {
        connection.close();
        if (ownsClient) {
            client.shutdown();
        }
    }
}

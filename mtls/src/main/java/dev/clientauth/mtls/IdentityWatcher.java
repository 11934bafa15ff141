package dev.clientauth.mtls;

import dev.clientauth.core.internal.Jca;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reloads a {@link TlsIdentity} when its files change. Watches the parent directories (a
 * Kubernetes secret mount swaps a {@code ..data} symlink, which only shows as a directory event)
 * and polls a digest of the files' contents as a fallback. A failed reload keeps the old
 * identity; the next change is tried again. Runs on one daemon thread until {@link #close()}.
 */
public final class IdentityWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IdentityWatcher.class.getName());

    private final TlsIdentity identity;
    private final List<Path> files;
    private final ScheduledExecutorService executor;
    private final WatchService watchService;
    private volatile byte[] lastDigest;

    IdentityWatcher(TlsIdentity identity, List<Path> files, Duration pollInterval) {
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
        }
        this.identity = identity;
        this.files = List.copyOf(files);
        this.lastDigest = digest();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "clientauth-identity-watcher");
            thread.setDaemon(true);
            return thread;
        });
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            Set<Path> directories = new LinkedHashSet<>();
            for (Path file : this.files) {
                directories.add(file.toAbsolutePath().getParent());
            }
            for (Path directory : directories) {
                directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot watch identity directories, polling only: {0}", e.getMessage());
        }
        this.watchService = service;
        long pollMillis = pollInterval.toMillis();
        executor.scheduleWithFixedDelay(this::check, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        if (service != null) {
            Thread watcher = new Thread(this::watchLoop, "clientauth-identity-watch-events");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                key.pollEvents();
                key.reset();
                // let a writer finish replacing several files before reading them
                executor.schedule(this::check, 200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Reloads if the files' contents changed since the last successful or failed attempt. */
    synchronized void check() {
        byte[] digest = digest();
        if (digest == null || MessageDigest.isEqual(digest, lastDigest)) {
            return;
        }
        lastDigest = digest;
        try {
            identity.reload();
        } catch (InvalidIdentityException e) {
            // already logged and reported to listeners by reload(); the old identity stays
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "identity reload failed", e);
        }
    }

    private byte[] digest() {
        try {
            MessageDigest sha = Jca.messageDigest("SHA-256");
            for (Path file : files) {
                if (Files.isReadable(file)) {
                    sha.update(Files.readAllBytes(file));
                }
                sha.update((byte) 0);
            }
            return sha.digest();
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}

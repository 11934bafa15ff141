package dev.clientauth.examples.cli;

import dev.clientauth.core.Secret;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.keys.KeySetCorruptException;
import dev.clientauth.jwt.keys.KeySetLockedException;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.ManagedKey;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import dev.clientauth.keyset.jdbc.JdbcKeySetStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code clientauth keys}: the rotating client key set in a directory. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Manage a rotating client key set: init, rotate, jwks, status.",
                "The set is in a directory (--dir) or in a database row shared by replicas (--jdbc-url); "
                        + "changes go in by compare-and-set, so the running replicas pick them up within their poll interval."})
final class KeysCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "init | rotate | jwks | status")
    String action;

    @Option(names = "--dir", description = "directory of the key set (keyset.json)")
    Path dir;

    @Option(names = "--jdbc-url", description = "JDBC URL of the database holding the key set (instead of --dir); "
            + "never put a password in it: use --jdbc-password-env")
    String jdbcUrl;

    @Option(names = "--jdbc-user", description = "database user (default: the variable CLIENTAUTH_JDBC_USER)")
    String jdbcUser;

    @Option(names = "--jdbc-password-env", defaultValue = "CLIENTAUTH_JDBC_PASSWORD",
            description = "environment variable with the database password (default ${DEFAULT-VALUE}; unset: none)")
    String jdbcPasswordEnv;

    @Option(names = "--jdbc-table", defaultValue = JdbcKeySetStore.DEFAULT_TABLE,
            description = "table of the key sets (default ${DEFAULT-VALUE})")
    String jdbcTable;

    @Option(names = "--key-set", defaultValue = "default", description = "name of the key set in the table (default ${DEFAULT-VALUE})")
    String keySetName;

    @Option(names = "--create-table", description = "with init and --jdbc-url: create the table if it does not exist")
    boolean createTable;

    @Option(names = "--alg", description = "algorithm of new keys (default ES256): PS256, RS256, ES256, ES384, EdDSA, ...")
    String alg;

    @Option(names = "--password-env", defaultValue = "CLIENTAUTH_KEYS_PASSWORD",
            description = "environment variable with the key set password (default ${DEFAULT-VALUE})")
    String passwordEnv;

    @Option(names = "--password-file", description = "file with the key set password")
    Path passwordFile;

    @Option(names = "--compromised", description = "with rotate: withdraw the active key from the JWKS at once")
    boolean compromised;

    @Option(names = "--verbose", description = "print a stack trace on failure")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if ((dir == null) == (jdbcUrl == null)) {
            throw new ConfigurationException("give the key set's place: --dir DIR or --jdbc-url URL (one of them)");
        }
        try (Place place = place()) {
            return run(place);
        }
    }

    /** Where the key set is: a file or a database row. */
    private record Place(KeySetStore store, JdbcKeySetStore jdbc) implements AutoCloseable {
        @Override
        public void close() {
            if (jdbc != null) {
                jdbc.close();
            }
        }
    }

    private Place place() {
        if (dir != null) {
            return new Place(KeySetStore.file(dir.resolve("keyset.json")), null);
        }
        Properties credentials = new Properties();
        String user = jdbcUser != null ? jdbcUser : System.getenv("CLIENTAUTH_JDBC_USER");
        if (user != null) {
            credentials.setProperty("user", user);
        }
        String password = System.getenv(jdbcPasswordEnv);
        if (password != null) {
            credentials.setProperty("password", password);
        }
        JdbcKeySetStore store;
        try {
            store = JdbcKeySetStore.builder(jdbcUrl, credentials).table(jdbcTable).name(keySetName).build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        return new Place(store, store);
    }

    private Integer run(Place place) throws Exception {
        KeySetStore store = place.store();
        PrintWriter out = spec.commandLine().getOut();
        switch (action) {
            case "init":
                if (place.jdbc() != null) {
                    if (createTable) {
                        place.jdbc().createTable();
                    }
                } else if (!Files.exists(dir) && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
                if (existsAlready(store)) {
                    throw new ConfigurationException("key set " + store.description() + " exists already");
                }
                RotatingKeySet created = open(store);
                out.println("created " + store.description() + "; active key " + created.activeKey().keyId());
                return ClientAuthCli.OK;
            case "rotate":
                RotatingKeySet set = existing(store);
                String before = set.activeKey().keyId();
                try {
                    if (compromised) {
                        set.rotateNow();
                    } else {
                        set.rotate();
                    }
                } catch (KeySetLockedException e) {
                    throw new ConfigurationException(e.getMessage());
                } catch (IllegalStateException e) {
                    throw new ConfigurationException(e.getMessage().replace("rotateNow()", "rotate --compromised"));
                }
                out.println((compromised ? "withdrew " : "retired ") + before + "; active key " + set.activeKey().keyId());
                return ClientAuthCli.OK;
            case "jwks":
                out.println(existing(store).publisher(Duration.ofMinutes(5)).json());
                return ClientAuthCli.OK;
            case "status":
                RotatingKeySet keys = existing(store);
                out.printf("%-44s %-8s %-6s %-22s %s%n", "kid", "state", "alg", "created", "activates/removed");
                for (ManagedKey key : keys.keys()) {
                    out.printf("%-44s %-8s %-6s %-22s %s%n", key.keyId(), key.state(), key.algorithm(), key.createdAt(),
                            key.activatesAt().or(key::removeAt).map(Object::toString).orElse("-"));
                }
                return ClientAuthCli.OK;
            default:
                throw new ConfigurationException("unknown keys action '" + action + "': use init, rotate, jwks or status");
        }
    }

    private static boolean existsAlready(KeySetStore store) throws IOException {
        try {
            return store.version() != 0;
        } catch (KeySetCorruptException e) {
            return true;
        }
    }

    private RotatingKeySet existing(KeySetStore store) throws Exception {
        try {
            if (store.version() == 0) {
                throw new ConfigurationException("no key set at " + store.description() + ": run keys init first");
            }
        } catch (KeySetCorruptException e) {
            throw new ConfigurationException(e.getMessage());
        }
        return open(store);
    }

    private RotatingKeySet open(KeySetStore store) throws IOException {
        RotatingKeySet.Builder builder = RotatingKeySet.builder(store, password(), SoftwareKeyGenerator.create());
        if (alg != null) {
            try {
                builder.algorithm(SignatureAlgorithm.of(alg));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("--alg: " + e.getMessage());
            }
        }
        try {
            return builder.build();
        } catch (KeySetCorruptException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    private Secret password() throws IOException {
        if (passwordFile != null) {
            String value = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new ConfigurationException("password file " + passwordFile + " is empty");
            }
            return Secret.of(value);
        }
        String value = System.getenv(passwordEnv);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException("set the key set password in " + passwordEnv + " or give --password-file");
        }
        return Secret.of(value);
    }
}

package dev.clientauth.examples.cli;

import dev.clientauth.core.Secret;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.keys.KeySetCorruptException;
import dev.clientauth.jwt.keys.KeySetLockedException;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.ManagedKey;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code clientauth keys}: the rotating client key set in a directory. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Manage a rotating client key set: init, rotate, jwks, status.")
final class KeysCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "init | rotate | jwks | status")
    String action;

    @Option(names = "--dir", required = true, description = "directory of the key set (keyset.json)")
    Path dir;

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
        Path file = dir.resolve("keyset.json");
        PrintWriter out = spec.commandLine().getOut();
        switch (action) {
            case "init":
                if (Files.exists(file)) {
                    throw new ConfigurationException(file + " exists already");
                }
                if (!Files.exists(dir) && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
                RotatingKeySet created = open(file);
                out.println("created " + file + "; active key " + created.activeKey().keyId());
                return ClientAuthCli.OK;
            case "rotate":
                RotatingKeySet set = existing(file);
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
                out.println(existing(file).publisher(Duration.ofMinutes(5)).json());
                return ClientAuthCli.OK;
            case "status":
                RotatingKeySet keys = existing(file);
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

    private RotatingKeySet existing(Path file) throws Exception {
        if (!Files.exists(file)) {
            throw new ConfigurationException("no key set at " + file + ": run keys init first");
        }
        return open(file);
    }

    private RotatingKeySet open(Path file) throws IOException {
        RotatingKeySet.Builder builder = RotatingKeySet.builder(KeySetStore.file(file), password(), SoftwareKeyGenerator.create());
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

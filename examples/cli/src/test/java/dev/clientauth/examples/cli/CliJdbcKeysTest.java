package dev.clientauth.examples.cli;

import static dev.clientauth.examples.cli.CliCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.Secret;
import dev.clientauth.examples.cli.CliCommandsTest.Run;
import dev.clientauth.jwt.keys.ManagedKey;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import dev.clientauth.keyset.jdbc.JdbcKeySetStore;
import dev.clientauth.keyset.jdbc.PostgresServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clientauth keys --jdbc-url}: an operator rotating a key set that running replicas share, from outside them. */
class CliJdbcKeysTest {
    @TempDir
    Path dir;

    private List<String> args(PostgresServer postgres, String action, String... more) throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "key-set-password");
        List<String> args = new ArrayList<>(List.of("keys", action, "--jdbc-url", postgres.url(), "--jdbc-user", "app",
                "--key-set", "payments", "--password-file", password.toString()));
        args.addAll(List.of(more));
        return args;
    }

    private Run keys(PostgresServer postgres, String action, String... more) throws Exception {
        return run(args(postgres, action, more).toArray(new String[0]));
    }

    @Test
    void initRotateJwksStatus_onASharedDatabase_runningReplicaFollows() throws Exception {
        try (PostgresServer postgres = new PostgresServer()) {
            Run withoutTable = keys(postgres, "init");
            assertEquals(ClientAuthCli.TRANSPORT, withoutTable.exit(), "no table yet: " + withoutTable.err());
            assertTrue(withoutTable.err().contains("'payments' in table clientauth_key_set"), withoutTable.err());

            Run init = keys(postgres, "init", "--create-table");
            assertEquals(0, init.exit(), init.err());
            String first = init.out().strip().substring(init.out().strip().lastIndexOf(' ') + 1);
            assertEquals(ClientAuthCli.USAGE, keys(postgres, "init").exit(), "init twice");

            // a replica of the application, running on the same row
            MutableClock clock = new MutableClock(Instant.now());
            try (JdbcKeySetStore store = JdbcKeySetStore.builder(postgres.url(), postgres.credentials()).name("payments").build()) {
                RotatingKeySet replica = RotatingKeySet.builder(store, Secret.of("key-set-password"), SoftwareKeyGenerator.create())
                        .clock(clock).build();
                assertEquals(first, replica.activeKey().keyId());

                Run early = keys(postgres, "rotate");
                assertEquals(ClientAuthCli.USAGE, early.exit(), "the next key was published a moment ago");
                assertTrue(early.err().contains("rotate --compromised"), early.err());

                Run compromised = keys(postgres, "rotate", "--compromised");
                assertEquals(0, compromised.exit(), compromised.err());
                assertTrue(compromised.out().startsWith("withdrew " + first), compromised.out());
                clock.advance(Duration.ofSeconds(31));
                assertFalse(replica.currentKey().keyId().orElseThrow().equals(first), "the replica follows within its poll interval");
                assertTrue(replica.keys().stream().map(ManagedKey::keyId).noneMatch(first::equals));
                assertEquals(replica.publisher(Duration.ofMinutes(5)).json().strip(), keys(postgres, "jwks").out().strip(),
                        "the CLI and the replica publish the same JWKS");
            }
            Run status = keys(postgres, "status");
            assertTrue(status.out().contains("ACTIVE") && status.out().contains("NEXT") && !status.out().contains(first),
                    status.out());
            Run wrongPassword = run("keys", "status", "--jdbc-url", postgres.url(), "--jdbc-user", "app", "--key-set", "payments",
                    "--password-file", Files.writeString(dir.resolve("wrong"), "nope").toString());
            assertEquals(ClientAuthCli.USAGE, wrongPassword.exit());
            assertEquals(ClientAuthCli.USAGE, keys(postgres, "status", "--jdbc-table", "x; DROP TABLE y").exit());
            assertEquals(ClientAuthCli.USAGE, run("keys", "status", "--jdbc-url", postgres.url(), "--dir", dir.toString()).exit(),
                    "one place only");
            Run none = run("keys", "status", "--jdbc-url", postgres.url(), "--jdbc-user", "app", "--key-set", "other",
                    "--password-file", dir.resolve("password").toString());
            assertEquals(ClientAuthCli.USAGE, none.exit());
            assertTrue(none.err().contains("keys init first"), none.err());
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        Run unreachable = run("keys", "status", "--jdbc-url", "jdbc:postgresql://127.0.0.1:" + closed + "/x?connectTimeout=1",
                "--password-file", Files.writeString(dir.resolve("p2"), "key-set-password").toString());
        assertEquals(ClientAuthCli.TRANSPORT, unreachable.exit());
        assertTrue(unreachable.err().contains("SQL state 08"), unreachable.err());
        assertFalse(unreachable.err().contains(String.valueOf(closed)), "the URL is not printed: " + unreachable.err());
    }
}

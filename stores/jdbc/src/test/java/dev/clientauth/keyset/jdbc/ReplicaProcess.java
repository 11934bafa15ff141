package dev.clientauth.keyset.jdbc;

import dev.clientauth.core.Secret;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;

/**
 * A replica in its own JVM, to be killed mid-write: it opens the key set at the given instant, which
 * makes it rotate (a compare-and-set write), and says so on standard output first.
 * Arguments: JDBC URL, user, key set name, instant.
 */
public final class ReplicaProcess {
    private ReplicaProcess() {
    }

    public static void main(String[] args) throws Exception {
        Properties credentials = new Properties();
        credentials.setProperty("user", args[1]);
        JdbcKeySetStore store = JdbcKeySetStore.builder(args[0], credentials).name(args[2]).build();
        System.out.println("writing");
        System.out.flush();
        RotatingKeySet.builder(store, Secret.of("key-set-password"), SoftwareKeyGenerator.create())
                .rotationInterval(Duration.ofDays(3)).publicationLead(Duration.ofHours(1)).pollInterval(Duration.ofSeconds(30))
                .retirementGrace(Duration.ofMinutes(10)).clock(Clock.fixed(Instant.parse(args[3]), ZoneOffset.UTC)).build();
        System.out.println("written");
    }
}

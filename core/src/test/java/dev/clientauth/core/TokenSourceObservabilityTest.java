package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.TestPki;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The observer hook, the statistics and the once-per-change failure log of a token source. */
class TokenSourceObservabilityTest {
    private static final TestPki PKI = TestPki.create();
    private static final String SECRET = "observed-secret";
    private HttpsMockServer server;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(TokenSource.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
        logger.addHandler(handler);
    }

    @AfterEach
    void stop() {
        logger.removeHandler(handler);
        server.close();
    }

    private static String formatted(LogRecord record) {
        return java.text.MessageFormat.format(record.getMessage(), record.getParameters());
    }

    @Test
    void failuresLoggedOncePerChange_observerSeesEveryAttempt_statisticsCount() throws Exception {
        List<String> attempts = new CopyOnWriteArrayList<>();
        TokenRequestObserver observer = request -> outcome -> attempts.add(request.clientId().value() + " "
                + request.method().value() + " #" + request.attempt() + " " + outcome.statusCode() + " "
                + outcome.error().orElse("none") + " " + request.tokenEndpoint().isPresent());
        try (TokenSource tokens = TokenSource.forTokenEndpoint(server.uri("/token"),
                ClientSecretBasic.of(ClientId.of("observed"), Secret.of(SECRET))).tls(server.tls()).observer(observer).build()) {
            for (int i = 0; i < 3; i++) {
                server.enqueueJson(401, "{\"error\":\"invalid_client\",\"error_description\":\"bad " + SECRET + "\"}");
                assertThrows(OAuthErrorResponseException.class, tokens::token);
            }
            assertTrue(tokens.statistics().failing());
            assertEquals("invalid_client", tokens.statistics().lastError().orElseThrow());
            server.enqueueToken();
            tokens.token();
            tokens.token();
            TokenSource.Statistics statistics = tokens.statistics();
            assertFalse(statistics.failing());
            assertEquals(4, statistics.misses());
            assertEquals(1, statistics.hits());
            assertTrue(statistics.tokenUsableUntil().isPresent());
        }
        assertEquals(List.of("observed client_secret_basic #1 401 invalid_client true",
                "observed client_secret_basic #1 401 invalid_client true", "observed client_secret_basic #1 401 invalid_client true",
                "observed client_secret_basic #1 200 none true"), attempts);
        List<LogRecord> warnings = records.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(1, warnings.size(), "one warning for the change to failing, not one per failure");
        String warning = formatted(warnings.get(0));
        assertTrue(warning.contains("observed") && warning.contains("invalid_client"), warning);
        assertFalse(warning.contains(SECRET), warning);
        assertEquals(1, records.stream().filter(r -> r.getLevel() == Level.INFO && formatted(r).contains("work again")).count());
    }

    @Test
    void failingObserver_isLoggedAndIgnored() throws Exception {
        server.enqueueToken();
        try (TokenSource tokens = TokenSource.forTokenEndpoint(server.uri("/token"),
                ClientSecretBasic.of(ClientId.of("observed"), Secret.of(SECRET))).tls(server.tls())
                .observer(request -> {
                    throw new IllegalStateException("observer bug");
                }).build()) {
            assertEquals("at-1", tokens.token().value());
        }
        assertTrue(records.stream().anyMatch(r -> r.getLevel() == Level.WARNING && r.getMessage().contains("observer failed")));
    }
}

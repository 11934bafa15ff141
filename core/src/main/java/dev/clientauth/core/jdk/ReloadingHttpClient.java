package dev.clientauth.core.jdk;

import dev.clientauth.core.ClientTls;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A JDK {@link HttpClient} on a {@link ClientTls}, replaced when the TLS identity changes so that
 * pooled connections made with an earlier certificate are not used again. Redirects are never
 * followed.
 */
final class ReloadingHttpClient {
    private final ClientTls tls;
    private final HttpClient.Builder builder;
    private volatile HttpClient client;
    private volatile long generation;

    ReloadingHttpClient(ClientTls tls, HttpClient.Builder builder, Duration connectTimeout) {
        this.tls = tls;
        this.builder = builder.followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(tls.sslContext())
                .sslParameters(tls.sslParameters())
                .connectTimeout(connectTimeout);
        this.generation = tls.generation();
        this.client = this.builder.build();
    }

    HttpClient current() {
        long now = tls.generation();
        if (now != generation) {
            synchronized (this) {
                if (now != generation) {
                    client = builder.build();
                    generation = now;
                }
            }
        }
        return client;
    }
}

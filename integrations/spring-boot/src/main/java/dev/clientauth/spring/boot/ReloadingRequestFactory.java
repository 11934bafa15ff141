package dev.clientauth.spring.boot;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;

/**
 * A JDK {@code HttpClient} request factory on a token source's TLS: it presents the client
 * certificate tokens are bound to, and after a certificate reload it builds a new client, so no
 * connection made with the old certificate is used again. Redirects are not followed.
 */
final class ReloadingRequestFactory implements ClientHttpRequestFactory {
    private final ClientTls tls;
    private volatile long generation = -1;
    private volatile JdkClientHttpRequestFactory current;

    ReloadingRequestFactory(ClientTls tls) {
        this.tls = tls;
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
        return factory().createRequest(uri, httpMethod);
    }

    private JdkClientHttpRequestFactory factory() {
        long now = tls.identity().map(TlsClientIdentity::generation).orElse(0L);
        JdkClientHttpRequestFactory factory = current;
        if (factory == null || now != generation) {
            synchronized (this) {
                if (current == null || now != generation) {
                    current = new JdkClientHttpRequestFactory(HttpClient.newBuilder().sslContext(tls.sslContext())
                            .sslParameters(tls.sslParameters()).connectTimeout(Duration.ofSeconds(10))
                            .followRedirects(HttpClient.Redirect.NEVER).build());
                    generation = now;
                }
                factory = current;
            }
        }
        return factory;
    }
}

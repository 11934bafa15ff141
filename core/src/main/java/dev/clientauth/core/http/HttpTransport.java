package dev.clientauth.core.http;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenRequestException;
import java.util.Optional;

/**
 * Sends one finished HTTP request and returns the whole response. Knows nothing about OAuth.
 *
 * <p>Implementations never follow redirects, refuse response bodies over their size limit with
 * a {@link dev.clientauth.core.MalformedTokenResponseException} (not retryable), and report
 * connect, TLS, timeout and connection failures as
 * {@link dev.clientauth.core.TokenTransportException}.
 *
 * <p>Implementations are thread-safe.
 */
public interface HttpTransport {
    TransportResponse execute(TransportRequest request) throws TokenRequestException;

    /**
     * The TLS material this transport connects with, when it knows it (a transport on a client
     * configured elsewhere does not). Adapters for API calls reuse it, so API calls present the
     * same certificate as token requests.
     */
    default Optional<ClientTls> tls() {
        return Optional.empty();
    }

    /**
     * The TLS client identity this transport presents on its connections, if any. A token client
     * using an mTLS method checks that its identity is presented here.
     */
    default Optional<TlsClientIdentity> clientIdentity() {
        return tls().flatMap(ClientTls::identity);
    }
}

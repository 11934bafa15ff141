package dev.clientauth.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import java.io.IOException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class TransportsTest {

    @Test
    void bareIoFailureOverTls_saysNoClientCertificateWasPresented() {
        // TLS 1.3: a server refusing a connection without a certificate may just close it after the handshake
        TokenRequestException e = Transports.translate(URI.create("https://127.0.0.1:8443/token"),
                new IOException("HTTP/1.1 header parser received no bytes"), null);
        assertInstanceOf(TokenTransportException.class, e);
        assertTrue(e.getMessage().contains("no client certificate presented"), e.getMessage());
        assertTrue(e.getMessage().contains("header parser received no bytes"), e.getMessage());
    }

    @Test
    void bareIoFailureOverPlainHttp_saysNothingAboutCertificates() {
        TokenRequestException e = Transports.translate(URI.create("http://127.0.0.1:8080/token"),
                new IOException("connection reset"), null);
        assertFalse(e.getMessage().contains("certificate"), e.getMessage());
    }
}

package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.TestPki;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

class ClientTlsTest {
    private static final TestPki PKI = TestPki.create();

    @Test
    void s3_enginesForAHost_verifyTheHostName_tls13And12Only() {
        SSLEngine engine = ClientTls.defaults().sslContext().createSSLEngine("api.example", 443);
        assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
        assertEquals("HTTPS", ClientTls.defaults().sslParameters().getEndpointIdentificationAlgorithm());
        assertThrows(UnsupportedOperationException.class, () -> ClientTls.defaults().sslContext().init(null, null, null));
    }

    @Test
    void s1_afterAnIdentityReload_aFreshTlsContext_soNoOldSessionIsResumed() {
        TestIdentity fixed = new TestIdentity(PKI.clientCertificate());
        AtomicLong generation = new AtomicLong();
        AtomicInteger changes = new AtomicInteger();
        TlsClientIdentity reloading = new TlsClientIdentity() {
            @Override
            public X509KeyManager keyManager() {
                return fixed.keyManager();
            }

            @Override
            public X509Certificate certificate() {
                return fixed.certificate();
            }

            @Override
            public long generation() {
                return generation.get();
            }
        };
        ClientTls tls = ClientTls.builder().identity(reloading).trust(PKI.trustManager()).build();
        tls.onIdentityChange(changes::incrementAndGet);
        SSLSessionContext before = tls.sslContext().getClientSessionContext();
        assertSame(before, tls.sslContext().getClientSessionContext(), "the same generation keeps its context");
        generation.incrementAndGet();
        assertNotSame(before, tls.sslContext().getClientSessionContext(), "a new generation gets a new session cache");
        assertEquals(1, tls.generation());
        assertTrue(tls.toString().contains("x5t#S256=" + fixed.thumbprint()), tls.toString());
    }

    @Test
    void forMethod_addsTheMethodsIdentity_refusesAnother() {
        TestIdentity methods = new TestIdentity(PKI.clientCertificate());
        TestIdentity other = new TestIdentity(PKI.newClientCertificate("CN=other"));
        ClientTls trustOnly = ClientTls.builder().trust(PKI.trustManager()).build();
        assertSame(methods, ClientTls.forMethod(trustOnly, methods).identity().orElseThrow());
        assertSame(PKI.trustManager().getClass(), ClientTls.forMethod(trustOnly, methods).trustManager().getClass());
        assertThrows(IllegalStateException.class, () -> ClientTls.forMethod(ClientTls.of(other), methods));
        assertSame(trustOnly, ClientTls.forMethod(trustOnly, null));
    }
}

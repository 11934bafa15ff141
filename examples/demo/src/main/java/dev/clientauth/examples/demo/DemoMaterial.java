package dev.clientauth.examples.demo;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.Secret;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Everything the demo clients and servers share, generated at start: the PKI, one secret per
 * secret-based client, the private_key_jwt key pair, a CA-issued and a self-signed client certificate.
 */
public final class DemoMaterial {
    public static final String BASIC = "demo-basic";
    public static final String POST = "demo-post";
    public static final String SECRET_JWT = "demo-secret-jwt";
    public static final String PRIVATE_KEY_JWT = "demo-private-key-jwt";
    public static final String TLS = "demo-tls";
    public static final String SELF_SIGNED = "demo-self-signed";

    final TestPki pki = TestPki.create();
    final Secret basicSecret = randomSecret();
    final Secret postSecret = randomSecret();
    final Secret jwtSecret = randomSecret();
    final KeyPair assertionKey = KeyAlgorithm.EC_P256.generate();
    final IssuedCertificate clientCertificate = pki.clientCertificate();
    final IssuedCertificate selfSigned = pki.selfSignedClientCertificate();
    final IssuedCertificate otherClientCertificate = pki.newClientCertificate("CN=someone-else,O=clientauth test");

    private static Secret randomSecret() {
        byte[] bytes = new byte[36];
        new SecureRandom().nextBytes(bytes);
        return Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    public TestPki pki() {
        return pki;
    }

    public Secret basicSecret() {
        return basicSecret;
    }

    public Secret postSecret() {
        return postSecret;
    }

    public Secret jwtSecret() {
        return jwtSecret;
    }

    public KeyPair assertionKey() {
        return assertionKey;
    }

    public IssuedCertificate clientCertificate() {
        return clientCertificate;
    }

    public IssuedCertificate selfSigned() {
        return selfSigned;
    }

    public IssuedCertificate otherClientCertificate() {
        return otherClientCertificate;
    }
}

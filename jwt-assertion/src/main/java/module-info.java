/**
 * JWT client assertions (RFC 7523): {@code private_key_jwt} and {@code client_secret_jwt}, the
 * assertion signer SPI (in memory, PKCS#12, PKCS#11, remote), the rotating client key set with its
 * JWKS, and the server-side assertion verifier.
 */
module dev.clientauth.jwt {
    requires transitive dev.clientauth.core;
    requires transitive dev.clientauth.keys;
    requires transitive com.nimbusds.jose.jwt;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;
    requires transitive jdk.httpserver;

    exports dev.clientauth.jwt;
    exports dev.clientauth.jwt.keys;
    exports dev.clientauth.jwt.verifier;
    exports dev.clientauth.jwt.internal to dev.clientauth.dpop;
}

/**
 * OAuth 2.0 client authentication for the client credentials grant: the authentication SPI and
 * the secret methods, token requests and responses, the token source, discovery, the HTTP
 * transport SPI with the JDK transport and the JDK {@code HttpClient} adapter, and the TLS value.
 */
module dev.clientauth.core {
    requires transitive java.net.http;
    requires com.nimbusds.jose.jwt;

    exports dev.clientauth.core;
    exports dev.clientauth.core.http;
    exports dev.clientauth.core.jdk;
    exports dev.clientauth.core.metadata;
    exports dev.clientauth.core.internal to
            dev.clientauth.keys,
            dev.clientauth.mtls,
            dev.clientauth.jwt,
            dev.clientauth.dpop,
            dev.clientauth.okhttp,
            dev.clientauth.httpclient5,
            dev.clientauth.spring.boot,
            dev.clientauth.redis;
}

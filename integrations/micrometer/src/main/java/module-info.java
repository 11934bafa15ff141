/**
 * Micrometer meters and observations for clientauth: token requests, the token cache, TLS
 * certificate expiry, signing keys and replay caches.
 */
module dev.clientauth.micrometer {
    requires transitive dev.clientauth.core;
    requires static transitive dev.clientauth.jwt;
    requires transitive micrometer.core;
    requires transitive micrometer.observation;

    exports dev.clientauth.micrometer;
}

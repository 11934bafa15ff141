/**
 * Mutual TLS (RFC 8705): reloadable TLS identities from PEM, PKCS#12 and PKCS#11, the two mTLS
 * client authentication methods, and the resource-server and authorization-server checks.
 */
module dev.clientauth.mtls {
    requires transitive dev.clientauth.core;
    requires transitive dev.clientauth.keys;

    exports dev.clientauth.mtls;
}

/**
 * DPoP (RFC 9449): proof-of-possession keys and the proofs that bind access tokens to them.
 */
module dev.clientauth.dpop {
    requires transitive dev.clientauth.core;
    requires transitive dev.clientauth.jwt;
    requires transitive com.nimbusds.jose.jwt;

    exports dev.clientauth.dpop;
}

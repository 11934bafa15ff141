package dev.clientauth.jwt.keys;

/** Where a key is in its life. */
public enum KeyState {
    /** Published in the JWKS, not yet signing: authorization servers learn it before it is used. */
    NEXT,
    /** Signs assertions, and is published. */
    ACTIVE,
    /** No longer signs; still published for a grace period so assertions it signed still verify. */
    RETIRED
}

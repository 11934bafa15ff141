package dev.clientauth.jwt;

/**
 * Where client assertions get their signatures: a key in memory, in a keystore, in an HSM
 * through a JCA provider, behind a remote service (a cloud KMS, Vault Transit), or a rotating
 * key set.
 *
 * <p>{@link #currentKey()} is read for every assertion, so a rotating implementation changes the
 * key without rebuilding any client. A single-key signer returns itself.
 *
 * <p>Implementations are thread-safe. They are wired explicitly by the user; none is found by
 * {@code ServiceLoader}.
 */
public interface AssertionSigner {
    /** The key that signs the next assertion. */
    SigningKey currentKey() throws SigningException;
}

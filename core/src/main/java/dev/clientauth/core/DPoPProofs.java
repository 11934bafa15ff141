package dev.clientauth.core;

import java.net.URI;
import java.util.Objects;

/**
 * The client side of DPoP (RFC 9449) as the token client and the HTTP client adapters use it:
 * a key that signs one fresh proof per request and the latest server nonce of each origin.
 * {@code clientauth-dpop}'s {@code DPoP} implements it; give it to
 * {@link TokenSource.Builder#dpop(DPoPProofs)}.
 *
 * <p>Implementations are thread-safe.
 */
public interface DPoPProofs {
    /**
     * The RFC 7638 SHA-256 thumbprint ({@code jkt}) of the current key. Returns the same
     * {@code String} instance for as long as the key is unchanged, so a changed key is seen by
     * an identity comparison.
     */
    String thumbprint();

    /** The JWS algorithm of the current key, as in {@code dpop_signing_alg_values_supported}. */
    String algorithm();

    /**
     * A new proof for one request: {@code htm} and {@code htu} of {@code method} and {@code uri},
     * the latest nonce of the origin of {@code uri} when its server gave one, and {@code ath} of
     * {@code accessToken} when it is not null.
     *
     * @throws ClientAuthenticationException the key could not sign (an HSM gone, a remote signer
     *     failing); nothing was sent
     */
    Proof proof(String method, URI uri, AccessToken accessToken) throws ClientAuthenticationException;

    /**
     * Remembers the {@code DPoP-Nonce} a response from {@code uri} carried, for the next proofs
     * to that origin.
     *
     * @throws IllegalArgumentException a nonce that is empty, longer than 1 KiB or not visible
     *     ASCII; nothing is remembered
     */
    void nonceReceived(URI uri, String nonce);

    /** One signed proof and the thumbprint of the key that signed it. {@code toString} omits the proof. */
    record Proof(String value, String thumbprint) {
        public Proof {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(thumbprint, "thumbprint");
        }

        @Override
        public String toString() {
            return "Proof[jkt=" + thumbprint + "]";
        }
    }
}

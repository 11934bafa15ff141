package dev.clientauth.dpop;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.DPoPProofs;
import dev.clientauth.core.internal.Origins;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.SigningException;
import java.net.URI;
import java.util.Objects;

/**
 * DPoP (RFC 9449) for a {@link dev.clientauth.core.TokenSource}: a {@link DPoPKey} and the latest
 * server nonce of each origin. One line turns it on:
 *
 * <pre>
 * TokenSource tokens = TokenSource.forIssuer(issuer, authentication).dpop(DPoP.withNewKey()).build();
 * BearerHttpClient api = BearerHttpClient.of(tokens);   // sends Authorization: DPoP ... and a proof
 * </pre>
 *
 * <p>Token requests and API calls each carry a new proof; a {@code DPoP-Nonce} from a server is
 * used for that server's origin only. {@link #replaceKey} switches to another key: the token
 * source drops every token bound to the old one. Thread-safe.
 */
public final class DPoP implements DPoPProofs {
    private volatile DPoPKey key;
    private final DPoPNonces nonces = new DPoPNonces();

    private DPoP(DPoPKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** A new ES256 key in memory, for this process only. */
    public static DPoP withNewKey() {
        return new DPoP(DPoPKey.generate());
    }

    /** A new in-memory key for ES256, EdDSA or PS256 (for a server that lists only some algorithms). */
    public static DPoP withNewKey(SignatureAlgorithm algorithm) {
        return new DPoP(DPoPKey.generate(algorithm));
    }

    /** A configured key: PEM, PKCS#12, PKCS#11 (HSM) or a remote signer, see {@link DPoPKey#of}. */
    public static DPoP with(DPoPKey key) {
        return new DPoP(key);
    }

    /** The current key. */
    public DPoPKey key() {
        return key;
    }

    /** Uses {@code newKey} from now on; tokens bound to the old key are no longer served. */
    public void replaceKey(DPoPKey newKey) {
        this.key = Objects.requireNonNull(newKey, "newKey");
    }

    /** The nonces servers gave, per origin. */
    public DPoPNonces nonces() {
        return nonces;
    }

    @Override
    public String thumbprint() {
        return key.thumbprint();
    }

    @Override
    public String algorithm() {
        return key.algorithm().joseName();
    }

    @Override
    public Proof proof(String method, URI uri, AccessToken accessToken) throws ClientAuthenticationException {
        DPoPKey current = key;
        try {
            String proof = current.proof(method, uri, nonces.nonceFor(uri).orElse(null),
                    accessToken == null ? null : accessToken.value());
            return new Proof(proof, current.thumbprint());
        } catch (SigningException e) {
            throw new ClientAuthenticationException("the DPoP key jkt=" + current.thumbprint() + " could not sign a proof for "
                    + Origins.of(uri) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void nonceReceived(URI uri, String nonce) {
        nonces.update(uri, nonce);
    }

    @Override
    public String toString() {
        return "DPoP[" + key + ", " + nonces + "]";
    }
}

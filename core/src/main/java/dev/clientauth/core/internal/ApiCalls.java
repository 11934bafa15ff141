package dev.clientauth.core.internal;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.DPoPProofs;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * The rules every HTTP client adapter applies to an API call with a token: the {@code DPoP} proof
 * a DPoP token needs, and whether to send the request once more after the answer.
 */
public final class ApiCalls {
    /** What to do after a response. */
    public enum Retry {
        /** Hand the response to the caller. */
        NONE,
        /** The token was rejected ({@code invalid_token}): it is invalidated; send once more with a new one. */
        NEW_TOKEN,
        /** The resource server wants a DPoP nonce it has just given: send once more with a new proof. */
        NONCE
    }

    private ApiCalls() {
    }

    /**
     * Refuses a destination the source may not send its tokens to: not {@code https} (plain
     * {@code http} only to loopback) or not an allowed origin. The message shows the destination
     * without user information, query or fragment.
     *
     * @throws TokenNotSentException the destination is refused; nothing was sent
     */
    public static void checkDestination(TokenSource source, URI uri) throws TokenNotSentException {
        if (!source.isAllowedDestination(uri)) {
            throw new TokenNotSentException("refusing to send an access token to " + shown(uri)
                    + ": not https (http only to loopback) or not an allowed origin");
        }
    }

    private static String shown(URI uri) {
        if (uri == null || uri.getHost() == null) {
            return Printable.of(String.valueOf(uri == null ? null : uri.getScheme()) + " URI without a host");
        }
        return Printable.of(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath()));
    }

    /**
     * The {@code DPoP} header value for a request with {@code token}: a new proof for
     * {@code method} and {@code uri} with {@code ath}, signed by the key the token is bound to;
     * null for a token of another type.
     *
     * @throws TokenNotSentException the token is bound to a key the source no longer holds
     * @throws dev.clientauth.core.ClientAuthenticationException the key could not sign
     */
    public static String proof(TokenSource source, AccessToken token, String method, URI uri) throws IOException {
        if (!token.type().equals(TokenType.DPOP)) {
            return null;
        }
        DPoPProofs dpop = source.dpop().orElseThrow(() ->
                new TokenNotSentException("refusing to send a DPoP token without a DPoP key to sign its proof"));
        DPoPProofs.Proof proof = dpop.proof(method, uri, token);
        if (!proof.thumbprint().equals(token.boundKey().orElse(null))) {
            source.invalidate(token);
            throw new TokenNotSentException("the DPoP key was replaced after this token was issued for jkt="
                    + token.boundKey().orElse("?") + "; the token is dropped, the next call gets a new one");
        }
        return proof.value();
    }

    /**
     * Reads the answer to a request made with {@code token}: remembers a {@code DPoP-Nonce} (a
     * DPoP token's resource server only), invalidates the token when it was rejected, and says
     * whether to send the request once more.
     */
    public static Retry afterResponse(TokenSource source, AccessToken token, URI uri, int status,
            List<String> wwwAuthenticate, String dpopNonce) {
        boolean dpopToken = token.type().equals(TokenType.DPOP);
        boolean nonceGiven = false;
        if (dpopToken && dpopNonce != null && source.dpop().isPresent()) {
            try {
                source.dpop().get().nonceReceived(uri, dpopNonce);
                nonceGiven = true;
            } catch (IllegalArgumentException invalid) {
                // not a nonce a proof may carry; a use_dpop_nonce challenge with it is handed to the caller
            }
        }
        if (status != 401) {
            return Retry.NONE;
        }
        if (BearerChallenge.isInvalidToken(wwwAuthenticate)) {
            source.invalidate(token);
            return Retry.NEW_TOKEN;
        }
        if (dpopToken && nonceGiven && BearerChallenge.isUseDPoPNonce(wwwAuthenticate)) {
            return Retry.NONCE;
        }
        return Retry.NONE;
    }
}

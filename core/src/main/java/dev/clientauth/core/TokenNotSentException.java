package dev.clientauth.core;

import java.io.IOException;

/**
 * An HTTP client adapter refused to send an access token: the destination is not {@code https}
 * (plain {@code http} is allowed only to loopback), not among the origins the token source allows,
 * or the connection does not present the client certificate the token is bound to. Nothing was
 * sent with the token. The message names the destination or the thumbprint, never the token.
 */
public final class TokenNotSentException extends IOException {
    private static final long serialVersionUID = 1L;

    public TokenNotSentException(String message) {
        super(message);
    }
}

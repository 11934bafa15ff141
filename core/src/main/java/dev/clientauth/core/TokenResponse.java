package dev.clientauth.core;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A successful token response (RFC 6749 §5.1), checked: made only by the library's parser.
 *
 * <p>{@link #parameters()} keeps every member other than {@code access_token} and
 * {@code refresh_token} (for example {@code issued_token_type} or vendor extensions).
 * {@code toString} prints no token. Immutable and thread-safe.
 */
public final class TokenResponse {
    /** The largest {@code expires_in} accepted: ten years. Larger values are refused as malformed. */
    public static final Duration MAX_EXPIRES_IN = Duration.ofDays(3653);

    private final AccessToken accessToken;
    private final Duration expiresIn;
    private final Secret refreshToken;
    private final Map<String, Object> parameters;

    TokenResponse(AccessToken accessToken, Duration expiresIn, Secret refreshToken, Map<String, Object> parameters) {
        this.accessToken = accessToken;
        this.expiresIn = expiresIn;
        this.refreshToken = refreshToken;
        this.parameters = Map.copyOf(parameters);
    }

    public AccessToken accessToken() {
        return accessToken;
    }

    /** The server's {@code expires_in}; empty when it sent none. */
    public Optional<Duration> expiresIn() {
        return Optional.ofNullable(expiresIn);
    }

    /** A refresh token, if the server sent one (unusual for the client credentials grant). */
    public Optional<Secret> refreshToken() {
        return Optional.ofNullable(refreshToken);
    }

    /** Every other member of the response, as parsed JSON values (String, Long, Double, Boolean, List, Map). */
    public Map<String, Object> parameters() {
        return parameters;
    }

    /** Replaces the access token (used to record a verified certificate binding). */
    TokenResponse withAccessToken(AccessToken token) {
        return new TokenResponse(token, expiresIn, refreshToken, parameters);
    }

    @Override
    public String toString() {
        return "TokenResponse[" + accessToken + ", parameters=" + parameters.keySet() + "]";
    }
}

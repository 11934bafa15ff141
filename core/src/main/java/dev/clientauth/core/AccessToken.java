package dev.clientauth.core;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An access token with what a client needs to use it: type, expiry, granted scope and, for a
 * certificate-bound token, the thumbprint of the certificate it is bound to, and for a DPoP token
 * the thumbprint ({@code jkt}) of the key whose proofs must accompany it.
 *
 * <p>The token value is read only through {@link #value()}; {@code toString} prints metadata
 * only. Immutable and thread-safe.
 */
public final class AccessToken {
    private final String value;
    private final TokenType type;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final Set<String> scopes;
    private final CertificateThumbprint boundCertificate;
    private final String boundKey;

    public AccessToken(String value, TokenType type, Instant issuedAt, Instant expiresAt, Set<String> scopes,
            CertificateThumbprint boundCertificate) {
        this(value, type, issuedAt, expiresAt, scopes, boundCertificate, null);
    }

    private AccessToken(String value, TokenType type, Instant issuedAt, Instant expiresAt, Set<String> scopes,
            CertificateThumbprint boundCertificate, String boundKey) {
        this.boundKey = boundKey;
        this.value = Objects.requireNonNull(value, "value");
        this.type = Objects.requireNonNull(type, "type");
        this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
        this.expiresAt = expiresAt;
        this.scopes = Set.copyOf(scopes);
        this.boundCertificate = boundCertificate;
    }

    /** The token itself, as sent in {@code Authorization: Bearer ...}. */
    public String value() {
        return value;
    }

    public TokenType type() {
        return type;
    }

    /** When the token response was received. */
    public Instant issuedAt() {
        return issuedAt;
    }

    /** When the token expires, from {@code expires_in}; empty if the server did not say. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    public Set<String> scopes() {
        return scopes;
    }

    /** The certificate this token is bound to ({@code cnf.x5t#S256}), when known. */
    public Optional<CertificateThumbprint> boundCertificate() {
        return Optional.ofNullable(boundCertificate);
    }

    /** A copy of this token that records its certificate binding. */
    public AccessToken withBoundCertificate(CertificateThumbprint thumbprint) {
        return new AccessToken(value, type, issuedAt, expiresAt, scopes, thumbprint, boundKey);
    }

    /**
     * For a DPoP token ({@link TokenType#DPOP}), the RFC 7638 thumbprint ({@code jkt}) of the key
     * it is bound to: every request with it carries a proof signed by that key.
     */
    public Optional<String> boundKey() {
        return Optional.ofNullable(boundKey);
    }

    /** A copy of this token that records the DPoP key ({@code jkt}) it is bound to. */
    public AccessToken withBoundKey(String jkt) {
        return new AccessToken(value, type, issuedAt, expiresAt, scopes, boundCertificate, Objects.requireNonNull(jkt, "jkt"));
    }

    /** Whether the token has expired at the given instant (never, when no expiry is known). */
    public boolean isExpiredAt(Instant instant) {
        return expiresAt != null && !instant.isBefore(expiresAt);
    }

    /** The {@code Authorization} header value, e.g. {@code Bearer <token>}. */
    public String authorizationHeaderValue() {
        return type.value() + " " + value;
    }

    /** Constant-time comparison of the token values. */
    public boolean sameValueAs(AccessToken other) {
        return other != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "AccessToken[type=" + type + ", expiresAt=" + expiresAt + ", scopes=" + scopes
                + (boundCertificate == null ? "" : ", x5t#S256=" + boundCertificate)
                + (boundKey == null ? "" : ", jkt=" + boundKey) + "]";
    }
}

package dev.clientauth.core.metadata;

import dev.clientauth.core.TokenRequestException;

/**
 * Authorization server metadata could not be used: no document at either well-known location,
 * not a JSON object, a required member missing, or an {@code issuer} that differs from the one
 * configured (RFC 8414 §3.3, which forbids using such a document).
 */
public final class InvalidMetadataException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    public InvalidMetadataException(String message) {
        super(message);
    }

    public InvalidMetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}

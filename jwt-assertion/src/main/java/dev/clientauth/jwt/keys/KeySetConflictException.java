package dev.clientauth.jwt.keys;

import java.io.IOException;

/**
 * A key set could not be written because another process changed it since it was read (its
 * generation moved on). Nothing was written; the writer reloads the set and decides again.
 */
public final class KeySetConflictException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeySetConflictException(String message) {
        super(message);
    }
}

package dev.clientauth.jwt.keys;

import java.io.IOException;

/** Another process held the lock of a key set for longer than the wait allowed. Nothing was written. */
public final class KeySetLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeySetLockedException(String message) {
        super(message);
    }
}

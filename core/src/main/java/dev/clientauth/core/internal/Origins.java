package dev.clientauth.core.internal;

import java.net.URI;
import java.util.Locale;

/** Origins (RFC 6454): scheme, host and port, with default ports made explicit. */
public final class Origins {
    private Origins() {
    }

    /** {@code https://api.example:443} for {@code https://API.example/x?y}; null when the URI has no scheme or host. */
    public static String of(URI uri) {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port == -1) {
            port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }
}

package dev.clientauth.core.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The rule for where this library sends requests: {@code https}, or plain {@code http} only to loopback. */
public final class Endpoints {
    private Endpoints() {
    }

    /**
     * Whether the URI is {@code https}, or {@code http} to {@code localhost} or a loopback address
     * literal. No name other than {@code localhost} is resolved.
     */
    public static boolean isSecureOrLoopback(URI uri) {
        String scheme = uri.getScheme();
        return "https".equalsIgnoreCase(scheme) || ("http".equalsIgnoreCase(scheme) && isLoopback(uri.getHost()));
    }

    /** Whether the host is {@code localhost} or a loopback address literal (no DNS lookup). */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

package dev.clientauth.core.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code application/x-www-form-urlencoded} encoding of RFC 6749 Appendix B: UTF-8, then
 * percent-encoding of everything but {@code A-Z a-z 0-9 * - . _}, with space as {@code +}.
 */
public final class FormEncoding {
    private FormEncoding() {
    }

    /** {@code " %&+£€"} becomes {@code "+%25%26%2B%C2%A3%E2%82%AC"}. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package dev.clientauth.core.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads RFC 6750 §3 {@code WWW-Authenticate: Bearer} and RFC 9449 §7.1 {@code DPoP} challenges,
 * also when one header value holds several challenges.
 */
public final class BearerChallenge {
    private static final Pattern SCHEME = Pattern.compile("(?:^|,)\\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?=\\s+[^\\s,=]+\\s*=|\\s*,|\\s*$)");
    private static final Pattern ERROR = Pattern.compile("(?i)(?:^|[\\s,])error\\s*=\\s*\"?([^\",\\s]+)\"?");

    private BearerChallenge() {
    }

    /** Whether any Bearer or DPoP challenge has {@code error="invalid_token"}. */
    public static boolean isInvalidToken(List<String> wwwAuthenticate) {
        return hasError(wwwAuthenticate, "bearer", "invalid_token") || hasError(wwwAuthenticate, "dpop", "invalid_token");
    }

    /** Whether a DPoP challenge has {@code error="use_dpop_nonce"} (RFC 9449 §9). */
    public static boolean isUseDPoPNonce(List<String> wwwAuthenticate) {
        return hasError(wwwAuthenticate, "dpop", "use_dpop_nonce");
    }

    /** Whether a challenge of {@code scheme} (lower case) carries {@code error}. */
    static boolean hasError(List<String> wwwAuthenticate, String scheme, String error) {
        for (String value : wwwAuthenticate) {
            if (value == null) {
                continue;
            }
            Matcher schemes = SCHEME.matcher(value);
            int start = -1;
            String current = null;
            while (true) {
                boolean found = schemes.find();
                int end = found ? schemes.start() : value.length();
                if (current != null && current.equals(scheme)) {
                    Matcher matcher = ERROR.matcher(value.substring(start, end));
                    while (matcher.find()) {
                        if (matcher.group(1).equals(error)) {
                            return true;
                        }
                    }
                }
                if (!found) {
                    break;
                }
                current = schemes.group(1).toLowerCase(Locale.ROOT);
                start = schemes.end();
            }
        }
        return false;
    }
}

package dev.clientauth.core.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads RFC 6750 §3 {@code WWW-Authenticate: Bearer} challenges. */
public final class BearerChallenge {
    private static final Pattern ERROR = Pattern.compile("(?i)(?:^|[\\s,])error\\s*=\\s*\"?([^\",\\s]+)\"?");

    private BearerChallenge() {
    }

    /** Whether any of the header values is a Bearer challenge with {@code error="invalid_token"}. */
    public static boolean isInvalidToken(List<String> wwwAuthenticate) {
        for (String value : wwwAuthenticate) {
            if (value == null) {
                continue;
            }
            String trimmed = value.strip();
            if (!trimmed.toLowerCase(Locale.ROOT).startsWith("bearer")) {
                continue;
            }
            Matcher matcher = ERROR.matcher(trimmed.substring(6));
            if (matcher.find() && matcher.group(1).equals("invalid_token")) {
                return true;
            }
        }
        return false;
    }
}

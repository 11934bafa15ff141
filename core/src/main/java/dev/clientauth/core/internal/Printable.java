package dev.clientauth.core.internal;

/** Text from a peer made safe for a message or a log line: printable ASCII only, truncated. */
public final class Printable {
    private static final int DEFAULT_MAX = 200;

    private Printable() {
    }

    /** {@link #of(String, int)} with a limit of 200 characters; {@code "null"} for null. */
    public static String of(String text) {
        return text == null ? "null" : of(text, DEFAULT_MAX);
    }

    /** Every character outside printable ASCII becomes {@code ?}; longer text is cut and ends with {@code ...}. */
    public static String of(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 3);
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > max) {
            out.append("...");
        }
        return out.toString();
    }
}

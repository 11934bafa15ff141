package dev.clientauth.examples.cli;

/** A usage or configuration mistake: a bad file, a wrong password, a missing option. Exit code 2. */
final class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConfigurationException(String message) {
        super(message);
    }

    ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}

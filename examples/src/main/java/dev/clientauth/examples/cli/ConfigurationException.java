package dev.clientauth.examples.cli;

/** A usage or configuration mistake: a bad file, a wrong password, a missing option. Exit code 2. */
final class ConfigurationException extends RuntimeException {
    ConfigurationException(String message) {
        super(message);
    }

    ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}

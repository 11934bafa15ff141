package dev.clientauth.examples.cli;

import dev.clientauth.core.Secret;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.KeyStoreSigners;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.mtls.InvalidIdentityException;
import dev.clientauth.keys.KeyMaterialException;
import dev.clientauth.keys.PemFiles;
import dev.clientauth.mtls.TlsIdentity;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Locale;

/** Loading keys, signers and TLS identities from the CLI's options, with configuration errors (exit 2). */
final class CliKeys {
    private CliKeys() {
    }

    static Secret passwordFromEnv(String variable, String what) {
        if (variable == null) {
            return null;
        }
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException("environment variable " + variable + " for the " + what + " is not set");
        }
        return Secret.of(value);
    }

    static boolean isPkcs12(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".p12") || name.endsWith(".pfx");
    }

    static JcaSigner.Builder signerBuilder(Path key, String passwordEnv) {
        Secret password = passwordFromEnv(passwordEnv, "key password");
        try {
            if (isPkcs12(key)) {
                if (password == null) {
                    throw new ConfigurationException("a PKCS#12 key needs --key-password-env");
                }
                return KeyStoreSigners.pkcs12(key, password, null);
            }
            KeyPair pair = PemFiles.readKeyPair(key, password);
            return JcaSigner.builder(pair.getPrivate()).publicKey(pair.getPublic());
        } catch (KeyMaterialException | IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    static JcaSigner signer(Path key, String passwordEnv, Path pkcs11Config, String pkcs11Alias, String pinEnv,
            SignatureAlgorithm algorithm, String kid) {
        JcaSigner.Builder builder;
        if (pkcs11Config != null) {
            if (key != null) {
                throw new ConfigurationException("give either --key or --pkcs11-config, not both");
            }
            if (pkcs11Alias == null || pinEnv == null) {
                throw new ConfigurationException("--pkcs11-config needs --pkcs11-alias and --pkcs11-pin-env");
            }
            try {
                builder = KeyStoreSigners.pkcs11(pkcs11Config, pkcs11Alias, passwordFromEnv(pinEnv, "PKCS#11 PIN"));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ConfigurationException(e.getMessage());
            }
        } else if (key != null) {
            builder = signerBuilder(key, passwordEnv);
        } else {
            throw new ConfigurationException("private_key_jwt needs --key FILE or --pkcs11-config");
        }
        if (algorithm != null) {
            builder.algorithm(algorithm);
        }
        if (kid != null) {
            builder.keyId(kid);
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    /** A DPoP key from a PEM or PKCS#12 file. */
    static DPoPKey dpopKey(Path file, String passwordEnv) {
        try {
            return DPoPKey.of(signerBuilder(file, passwordEnv).build());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("--dpop-key: " + e.getMessage());
        }
    }

    static TlsIdentity identity(Path cert, Path certKey, Path certP12, String passwordEnv) {
        try {
            if (certP12 != null) {
                if (cert != null || certKey != null) {
                    throw new ConfigurationException("give either --cert-p12 or --cert with --cert-key, not both");
                }
                Secret password = passwordFromEnv(passwordEnv, "PKCS#12 password");
                if (password == null) {
                    throw new ConfigurationException("--cert-p12 needs --key-password-env");
                }
                return TlsIdentity.fromPkcs12(certP12, password, null).build();
            }
            if (cert == null || certKey == null) {
                throw new ConfigurationException("a TLS client identity needs --cert FILE --cert-key FILE, or --cert-p12 FILE");
            }
            return TlsIdentity.fromPem(List.of(cert), certKey, passwordFromEnv(passwordEnv, "key password")).build();
        } catch (InvalidIdentityException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

}

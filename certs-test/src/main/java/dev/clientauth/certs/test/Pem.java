package dev.clientauth.certs.test;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/** PEM encodings of certificates and private keys, as strings or files. */
public final class Pem {
    private Pem() {
    }

    /** One CERTIFICATE block per certificate, in the given order. */
    public static String certificates(X509Certificate... certificates) {
        return write(w -> {
            for (X509Certificate certificate : certificates) {
                w.writeObject(certificate);
            }
        });
    }

    /** A PKCS#8 {@code PRIVATE KEY} block. */
    public static String pkcs8(PrivateKey key) {
        return write(w -> w.writeObject((PemObjectGenerator) generator(key, null)));
    }

    /** An {@code ENCRYPTED PRIVATE KEY} block (PKCS#8, PBES2 with AES-256-CBC). */
    public static String encryptedPkcs8(PrivateKey key, char[] password) {
        try {
            OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                    .setProvider(bouncyCastle())
                    .setPassword(password)
                    .build();
            return write(w -> w.writeObject((PemObjectGenerator) generator(key, encryptor)));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot encrypt key", e);
        }
    }

    /**
     * The traditional OpenSSL form: {@code RSA PRIVATE KEY} (PKCS#1) for RSA keys and
     * {@code EC PRIVATE KEY} (SEC1) for EC keys.
     */
    public static String traditional(PrivateKey key) {
        if (key.getAlgorithm().equals("EC")) {
            // SEC1 with the curve named inside, as OpenSSL writes it (the JDK's PKCS#8 keeps it outside)
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            try {
                org.bouncycastle.asn1.sec.ECPrivateKey inner =
                        org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
                int bits = ((java.security.interfaces.ECPrivateKey) key).getParams().getOrder().bitLength();
                // the JDK's key carries no public key: key and curve are all SEC1 needs (and this constructor is
                // the same in Bouncy Castle's FIPS and regular jars)
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(bits,
                        inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
                return write(w -> w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!key.getAlgorithm().equals("RSA")) {
            throw new IllegalArgumentException("no traditional PEM form for " + key.getAlgorithm());
        }
        return write(w -> w.writeObject(key));
    }

    public static Path writeFile(Path file, String pem) {
        try {
            return Files.writeString(file, pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JcaPKCS8Generator generator(PrivateKey key, OutputEncryptor encryptor) {
        try {
            return new JcaPKCS8Generator(key, encryptor);
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface PemBody {
        void writeTo(JcaPEMWriter writer) throws IOException;
    }

    private static String write(PemBody body) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            body.writeTo(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Bouncy Castle's provider, FIPS or not, whichever is on the class path. */
    private static java.security.Provider bouncyCastle() {
        for (String name : new String[] {"BCFIPS", "BC"}) {
            java.security.Provider registered = java.security.Security.getProvider(name);
            if (registered != null) {
                return registered;
            }
        }
        for (String type : new String[] {"org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider",
                "org.bouncycastle.jce.provider.BouncyCastleProvider"}) {
            try {
                return (java.security.Provider) Class.forName(type).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                // not on the class path
            }
        }
        throw new IllegalStateException("no Bouncy Castle provider on the class path");
    }
}

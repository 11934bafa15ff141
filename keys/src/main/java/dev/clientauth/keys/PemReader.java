package dev.clientauth.keys;

import dev.clientauth.core.Secret;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import dev.clientauth.core.internal.Jca;
import org.bouncycastle.openssl.PEMDecryptorProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads PEM certificates and private keys with Bouncy Castle: PKCS#8, encrypted PKCS#8, PKCS#1
 * RSA, SEC1 EC and legacy OpenSSL-encrypted keys. Errors name the file and what was wrong, never
 * key material or the password.
 */
final class PemReader {

    private PemReader() {
    }

    static List<X509Certificate> certificates(Path file) throws KeyMaterialException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object object : objects(file)) {
            if (object instanceof X509CertificateHolder) {
                try {
                    certificates.add(converter().getCertificate((X509CertificateHolder) object));
                } catch (CertificateException e) {
                    throw new KeyMaterialException("invalid certificate in " + file, e);
                }
            } else if (isKey(object)) {
                throw new KeyMaterialException(file + " holds a private key where certificates are expected");
            }
        }
        if (certificates.isEmpty()) {
            throw new KeyMaterialException("no PEM certificate in " + file);
        }
        return certificates;
    }

    static PrivateKey privateKey(Path file, Secret password) throws KeyMaterialException {
        List<Object> objects = objects(file);
        Object keyObject = null;
        for (Object object : objects) {
            if (isKey(object)) {
                if (keyObject != null) {
                    throw new KeyMaterialException(file + " holds more than one private key");
                }
                keyObject = object;
            }
        }
        if (keyObject == null) {
            boolean certificates = objects.stream().anyMatch(o -> o instanceof X509CertificateHolder);
            throw new KeyMaterialException(certificates
                    ? file + " holds a certificate where a private key is expected"
                    : "no PEM private key in " + file);
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        Jca.pinned().ifPresent(converter::setProvider);
        try {
            if (keyObject instanceof PrivateKeyInfo) {
                return converter.getPrivateKey((PrivateKeyInfo) keyObject);
            }
            if (keyObject instanceof PEMKeyPair) {
                return converter.getPrivateKey(((PEMKeyPair) keyObject).getPrivateKeyInfo());
            }
            if (password == null) {
                throw new KeyMaterialException("the private key in " + file + " is encrypted: a password is needed");
            }
            char[] pw = password.reveal().toCharArray();
            try {
                if (keyObject instanceof PKCS8EncryptedPrivateKeyInfo) {
                    InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(provider()).build(pw);
                    return converter.getPrivateKey(((PKCS8EncryptedPrivateKeyInfo) keyObject).decryptPrivateKeyInfo(decryptor));
                }
                PEMDecryptorProvider decryptor = new JcePEMDecryptorProviderBuilder().setProvider(provider()).build(pw);
                return converter.getPrivateKey(((PEMEncryptedKeyPair) keyObject).decryptKeyPair(decryptor).getPrivateKeyInfo());
            } finally {
                java.util.Arrays.fill(pw, '\0');
            }
        } catch (PKCSException | OperatorCreationException e) {
            throw new KeyMaterialException("wrong password for the encrypted private key in " + file);
        } catch (PEMException e) {
            if (keyObject instanceof PEMEncryptedKeyPair) {
                throw new KeyMaterialException("wrong password for the encrypted private key in " + file);
            }
            throw new KeyMaterialException("unsupported or invalid private key in " + file);
        } catch (IOException e) {
            throw new KeyMaterialException("invalid private key in " + file);
        }
    }

    /** The provider that decrypts encrypted PEM keys: the pinned one, else Bouncy Castle's. */
    private static java.security.Provider provider() {
        return Jca.pinned().or(Jca::bouncyCastle).orElseThrow(() ->
                new IllegalStateException("decrypting a PEM key needs Bouncy Castle's provider or a pinned provider"));
    }

    private static JcaX509CertificateConverter converter() {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        Jca.pinned().ifPresent(converter::setProvider);
        return converter;
    }

    private static boolean isKey(Object object) {
        return object instanceof PrivateKeyInfo || object instanceof PEMKeyPair
                || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair;
    }

    private static List<Object> objects(Path file) throws KeyMaterialException {
        List<Object> objects = new ArrayList<>();
        try {
            if (Files.size(file) == 0) {
                throw new KeyMaterialException(file + " is empty");
            }
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                    PEMParser parser = new PEMParser(reader)) {
                Object object;
                while ((object = parser.readObject()) != null) {
                    objects.add(object);
                }
            }
        } catch (NoSuchFileException e) {
            throw new KeyMaterialException(file + " does not exist");
        } catch (IOException | RuntimeException e) {
            throw new KeyMaterialException(file + " is not valid PEM");
        }
        if (objects.isEmpty()) {
            throw new KeyMaterialException(file + " holds no PEM object");
        }
        return objects;
    }
}

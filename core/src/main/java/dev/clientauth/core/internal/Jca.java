package dev.clientauth.core.internal;

import dev.clientauth.core.CryptoProviders;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.net.ssl.SSLContext;

/**
 * JCA objects as {@link CryptoProviders} says: from the pinned provider only when one is pinned;
 * otherwise from Bouncy Castle's provider where it is the fast choice (ECDSA, EdDSA) and present,
 * and from the JDK's providers for everything else.
 */
public final class Jca {
    private static final String[] BOUNCY_CASTLE_CLASSES = {"org.bouncycastle.jce.provider.BouncyCastleProvider"};
    private static volatile Optional<Provider> bouncyCastle;

    private Jca() {
    }

    /** The provider every key operation must use, if one is pinned. */
    public static Optional<Provider> pinned() {
        return CryptoProviders.pinned();
    }

    /**
     * Bouncy Castle's (non-FIPS) provider: the registered one named {@code BC}, or a new instance
     * when its class is on the class path; empty otherwise.
     */
    public static Optional<Provider> bouncyCastle() {
        Optional<Provider> cached = bouncyCastle;
        if (cached == null) {
            Provider registered = Security.getProvider("BC");
            Provider found = registered;
            if (found == null) {
                for (String name : BOUNCY_CASTLE_CLASSES) {
                    try {
                        found = (Provider) Class.forName(name).getDeclaredConstructor().newInstance();
                        break;
                    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                        // not on the class path
                    }
                }
            }
            cached = Optional.ofNullable(found);
            bouncyCastle = cached;
        }
        return cached;
    }

    /** The provider for a signature made or checked in memory: pinned, else Bouncy Castle for ECDSA/EdDSA, else the JDK. */
    public static Optional<Provider> forSignature(String jcaName, boolean fastWithBouncyCastle) {
        Optional<Provider> pin = pinned();
        if (pin.isPresent()) {
            return pin;
        }
        return fastWithBouncyCastle ? bouncyCastle().filter(p -> p.getService("Signature", jcaName) != null) : Optional.empty();
    }

    public static Signature signature(String jcaName, boolean fastWithBouncyCastle) throws NoSuchAlgorithmException {
        Optional<Provider> provider = forSignature(jcaName, fastWithBouncyCastle);
        return provider.isPresent() ? Signature.getInstance(jcaName, provider.get()) : Signature.getInstance(jcaName);
    }

    public static KeyFactory keyFactory(String algorithm) throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? KeyFactory.getInstance(algorithm, pin.get()) : KeyFactory.getInstance(algorithm);
    }

    public static KeyPairGenerator keyPairGenerator(String algorithm) throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? KeyPairGenerator.getInstance(algorithm, pin.get()) : KeyPairGenerator.getInstance(algorithm);
    }

    public static KeyAgreement keyAgreement(String algorithm) throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? KeyAgreement.getInstance(algorithm, pin.get()) : KeyAgreement.getInstance(algorithm);
    }

    public static javax.crypto.Cipher cipher(String transformation) throws GeneralSecurityException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? javax.crypto.Cipher.getInstance(transformation, pin.get())
                : javax.crypto.Cipher.getInstance(transformation);
    }

    public static Mac mac(String algorithm) throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? Mac.getInstance(algorithm, pin.get()) : Mac.getInstance(algorithm);
    }

    public static SecretKeyFactory secretKeyFactory(String algorithm) throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? SecretKeyFactory.getInstance(algorithm, pin.get()) : SecretKeyFactory.getInstance(algorithm);
    }

    public static KeyStore keyStore(String type) throws GeneralSecurityException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? KeyStore.getInstance(type, pin.get()) : KeyStore.getInstance(type);
    }

    public static MessageDigest messageDigest(String algorithm) throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? MessageDigest.getInstance(algorithm, pin.get()) : MessageDigest.getInstance(algorithm);
    }

    public static CertificateFactory certificateFactory() throws CertificateException {
        Optional<Provider> pin = pinned();
        return pin.isPresent() ? CertificateFactory.getInstance("X.509", pin.get()) : CertificateFactory.getInstance("X.509");
    }

    /**
     * A TLS context: from the pinned provider when it is a JSSE provider (Bouncy Castle's
     * {@code BCJSSE} for a FIPS deployment), else the JDK's. JSSE does its own provider selection
     * for the handshake's crypto, configured for the JVM.
     */
    public static SSLContext sslContext() throws NoSuchAlgorithmException {
        Optional<Provider> pin = pinned().filter(p -> p.getService("SSLContext", "TLS") != null);
        return pin.isPresent() ? SSLContext.getInstance("TLS", pin.get()) : SSLContext.getInstance("TLS");
    }
}

package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.Pkcs12;
import dev.clientauth.certs.test.PkiFiles;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.certs.test.TestPkiExtension;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPkiExtension.class)
class KeyStoreSignersTest {
    private static final AuthenticationContext CONTEXT = new AuthenticationContext(URI.create("https://as.example"),
            URI.create("https://as.example/token"), Clock.systemUTC());

    @Test
    void pkcs12_singleKey_signsWithCertificateAndThumbprint(TestPki pki, PkiFiles files) throws Exception {
        JcaSigner signer = KeyStoreSigners.pkcs12(files.resolve("client.p12"), Secret.of(PkiFiles.PASSWORD), null).build();
        assertEquals(SignatureAlgorithm.ES256, signer.algorithm());
        assertEquals(CertificateThumbprint.of(pki.clientCertificate().certificate()), signer.certificateThumbprint().orElseThrow());
        SignedJWT jwt = Verification.verifySignature(PrivateKeyJwt.builder(ClientId.of("c"), signer)
                .includeCertificateThumbprint().build().createAssertion(CONTEXT).serialize(),
                pki.clientCertificate().certificate().getPublicKey());
        assertEquals(signer.certificateThumbprint().orElseThrow().value(), jwt.getHeader().getX509CertSHA256Thumbprint().toString());
    }

    @Test
    void pkcs12_rsaKey_defaultsToPs256(TestPki pki, PkiFiles files) throws Exception {
        IssuedCertificate rsa = pki.leaf("CN=rsa-client").keyAlgorithm(KeyAlgorithm.RSA_3072).clientAuth().build();
        Path file = Pkcs12.write(files.resolve("rsa.p12"), Pkcs12.keyStore("rsa", rsa, "pw".toCharArray()), "pw".toCharArray());
        JcaSigner signer = KeyStoreSigners.pkcs12(file, Secret.of("pw"), "rsa").build();
        assertEquals(SignatureAlgorithm.PS256, signer.algorithm());
        Verification.verifySignature(PrivateKeyJwt.of(ClientId.of("c"), signer).createAssertion(CONTEXT).serialize(),
                rsa.certificate().getPublicKey());
    }

    @Test
    void pkcs12_wrongPassword_clearErrorWithoutPassword(PkiFiles files) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyStoreSigners.pkcs12(files.resolve("client.p12"), Secret.of("wrong-password-123"), null));
        assertTrue(e.getMessage().contains("wrong password") && e.getMessage().contains("client.p12"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-password-123"));
    }

    @Test
    void pkcs12_noPrivateKey_clearError(TestPki pki, PkiFiles files) {
        Path trustOnly = Pkcs12.write(files.resolve("trust.p12"), pki.trustStore(), "pw".toCharArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyStoreSigners.pkcs12(trustOnly, Secret.of("pw"), null));
        assertTrue(e.getMessage().contains("0 private keys"), e.getMessage());
        IllegalArgumentException named = assertThrows(IllegalArgumentException.class,
                () -> KeyStoreSigners.pkcs12(trustOnly, Secret.of("pw"), "ca-0"));
        assertTrue(named.getMessage().contains("holds no private key"), named.getMessage());
    }

    @Test
    void pkcs12_missingAliasOrGarbageFile_clearError(PkiFiles files) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyStoreSigners.pkcs12(files.resolve("client.p12"), Secret.of(PkiFiles.PASSWORD), "nope"));
        assertTrue(e.getMessage().contains("no entry 'nope'"), e.getMessage());
        Path garbage = Files.writeString(files.resolve("garbage.p12"), "this is not a keystore");
        assertThrows(IllegalArgumentException.class, () -> KeyStoreSigners.pkcs12(garbage, Secret.of("pw"), null));
    }
}

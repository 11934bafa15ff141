package dev.clientauth.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.Pem;
import dev.clientauth.certs.test.PkiFiles;
import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.certs.test.TestPkiExtension;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPkiExtension.class)
class TlsIdentityLoadingTest {

    private static TlsIdentity pem(Path chain, Path key, String password) throws InvalidIdentityException {
        return TlsIdentity.fromPem(List.of(chain), key, password == null ? null : Secret.of(password)).build();
    }

    @Test
    void pem_pkcs8_loadsKeyAndChain(TestPki pki, PkiFiles files) throws Exception {
        TlsIdentity identity = pem(files.resolve("client.pem"), files.resolve("client-key.pem"), null);
        assertEquals(pki.clientCertificate().certificate(), identity.certificate());
        assertEquals(2, identity.certificateChain().size());
        assertEquals(CertificateThumbprint.of(pki.clientCertificate().certificate()), identity.thumbprint());
        String alias = identity.keyManager().chooseClientAlias(new String[] {"EC"}, null, null);
        // compared by value: the loaded key may come from another provider than the generated one
        assertEquals(((java.security.interfaces.ECPrivateKey) pki.clientCertificate().privateKey()).getS(),
                ((java.security.interfaces.ECPrivateKey) identity.keyManager().getPrivateKey(alias)).getS());
        assertEquals(2, identity.keyManager().getCertificateChain(alias).length);
    }

    @Test
    void pem_encryptedPkcs8_needsRightPassword(PkiFiles files) throws Exception {
        TlsIdentity identity = pem(files.resolve("client.pem"), files.resolve("client-key-encrypted.pem"), PkiFiles.PASSWORD);
        assertTrue(identity.toString().contains("CN=client-1"));
        InvalidIdentityException wrong = assertThrows(InvalidIdentityException.class,
                () -> pem(files.resolve("client.pem"), files.resolve("client-key-encrypted.pem"), "not-the-password"));
        assertTrue(wrong.getMessage().contains("wrong password"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-the-password"));
        InvalidIdentityException missing = assertThrows(InvalidIdentityException.class,
                () -> pem(files.resolve("client.pem"), files.resolve("client-key-encrypted.pem"), null));
        assertTrue(missing.getMessage().contains("encrypted"), missing.getMessage());
    }

    @Test
    void pem_pkcs1RsaAndSec1Ec_load(TestPki pki, PkiFiles files) throws Exception {
        IssuedCertificate rsa = pki.leaf("CN=rsa-client").keyAlgorithm(KeyAlgorithm.RSA_2048).clientAuth().build();
        Path rsaCert = Pem.writeFile(files.resolve("rsa.pem"), Pem.certificates(rsa.chain()));
        Path rsaKey = Pem.writeFile(files.resolve("rsa-key.pem"), Pem.traditional(rsa.privateKey()));
        assertTrue(Files.readString(rsaKey).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertEquals(rsa.certificate(), pem(rsaCert, rsaKey, null).certificate());
        Path ecKey = Pem.writeFile(files.resolve("ec-key.pem"), Pem.traditional(pki.clientCertificate().privateKey()));
        assertTrue(Files.readString(ecKey).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        assertEquals(pki.clientCertificate().certificate(), pem(files.resolve("client.pem"), ecKey, null).certificate());
    }

    @Test
    void pem_chainInSeveralFiles(TestPki pki, PkiFiles files) throws Exception {
        Path leaf = Pem.writeFile(files.resolve("leaf.pem"), Pem.certificates(pki.clientCertificate().certificate()));
        Path intermediate = Pem.writeFile(files.resolve("intermediate.pem"), Pem.certificates(pki.intermediate().certificate()));
        TlsIdentity identity = TlsIdentity.fromPem(List.of(leaf, intermediate), files.resolve("client-key.pem"), null).build();
        assertEquals(List.of(pki.clientCertificate().certificate(), pki.intermediate().certificate()), identity.certificateChain());
    }

    @Test
    void pem_badInput_clearErrors(TestPki pki, PkiFiles files) throws Exception {
        Path garbage = Files.writeString(files.resolve("garbage.pem"), "this is not PEM at all\n");
        Path empty = Files.writeString(files.resolve("empty.pem"), "");
        Path cert = files.resolve("client.pem");
        Path key = files.resolve("client-key.pem");
        assertMessage(() -> pem(cert, garbage, null), "no PEM");
        assertMessage(() -> pem(cert, empty, null), "empty");
        assertMessage(() -> pem(cert, cert, null), "certificate where a private key is expected");
        assertMessage(() -> pem(key, key, null), "private key where certificates are expected");
        assertMessage(() -> pem(cert, files.resolve("missing.pem"), null), "does not exist");
        Path otherKey = Pem.writeFile(files.resolve("other-key.pem"), Pem.pkcs8(KeyAlgorithm.EC_P256.generate().getPrivate()));
        InvalidIdentityException mismatch = assertMessage(() -> pem(cert, otherKey, null), "does not match the certificate");
        assertTrue(mismatch.getMessage().contains("CN=client-1") && mismatch.getMessage().contains("x5t#S256="));
        Path corrupted = Files.writeString(files.resolve("corrupt.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n");
        assertThrows(InvalidIdentityException.class, () -> pem(cert, corrupted, null));
    }

    @Test
    void chainOutOfOrder_refused(TestPki pki, PkiFiles files) throws Exception {
        Path reversed = Pem.writeFile(files.resolve("reversed.pem"),
                Pem.certificates(pki.intermediate().certificate(), pki.clientCertificate().certificate()));
        assertMessage(() -> pem(reversed, files.resolve("client-key.pem"), null), "not in order");
        Path wrongOrder = Pem.writeFile(files.resolve("wrong.pem"), Pem.certificates(pki.clientCertificate().certificate(),
                pki.root().certificate(), pki.intermediate().certificate()));
        assertMessage(() -> pem(wrongOrder, files.resolve("client-key.pem"), null), "not in order");
    }

    @Test
    void expiredAndNotYetValid_refusedUnlessWeakened(TestPki pki, PkiFiles files) throws Exception {
        for (IssuedCertificate bad : List.of(pki.expiredClientCertificate(), pki.notYetValidClientCertificate())) {
            InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
                    () -> TlsIdentity.of(bad.privateKey(), bad.chain()).build());
            assertTrue(e.getMessage().contains("expired at") || e.getMessage().contains("not valid before"), e.getMessage());
            assertTrue(e.getMessage().contains(bad.certificate().getSubjectX500Principal().getName()));
            assertEquals(bad.certificate(),
                    TlsIdentity.of(bad.privateKey(), bad.chain()).allowCertificateOutsideValidity().build().certificate());
        }
    }

    @Test
    void noClientAuthUsage_refusedUnlessWeakened(TestPki pki) throws Exception {
        IssuedCertificate serverOnly = pki.clientCertificateWithoutClientAuthEku();
        assertMessage(() -> TlsIdentity.of(serverOnly.privateKey(), serverOnly.chain()).build(), "without clientAuth");
        assertEquals(serverOnly.certificate(),
                TlsIdentity.of(serverOnly.privateKey(), serverOnly.chain()).allowMissingClientAuthUsage().build().certificate());
        IssuedCertificate noEku = pki.leaf("CN=no-eku").build();
        assertEquals(noEku.certificate(), TlsIdentity.of(noEku.privateKey(), noEku.chain()).build().certificate());
    }

    @Test
    void pkcs12_loadsAndReportsWrongPassword(TestPki pki, PkiFiles files) throws Exception {
        TlsIdentity identity = TlsIdentity.fromPkcs12(files.resolve("client.p12"), Secret.of(PkiFiles.PASSWORD), null).build();
        assertEquals(pki.clientCertificate().certificate(), identity.certificate());
        assertMessage(() -> TlsIdentity.fromPkcs12(files.resolve("client.p12"), Secret.of("nope"), null).build(), "wrong password");
    }

    @Test
    void pkcs11_hsmKey_loadsNonExtractable() throws Exception {
        SoftHsmToken token = SoftHsmToken.shared();
        SoftHsmToken.HsmKey key = token.generateEcP256("tls-ec");
        assertThrows(IllegalStateException.class,
                () -> TlsIdentity.fromPkcs11(token.provider(), key.alias(), Secret.of(SoftHsmToken.PIN)));
        java.security.Security.addProvider(token.provider());
        TlsIdentity identity = TlsIdentity.fromPkcs11(token.provider(), key.alias(), Secret.of(SoftHsmToken.PIN))
                .allowMissingClientAuthUsage().build();
        assertEquals(key.certificate(), identity.certificate());
        String alias = identity.keyManager().chooseClientAlias(new String[] {"EC"}, null, null);
        assertNull(identity.keyManager().getPrivateKey(alias).getEncoded());
    }

    @Test
    void sslContext_onlyTls13And12() {
        SSLEngine engine = dev.clientauth.core.ClientTls.defaults().sslContext().createSSLEngine("localhost", 443);
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
    }

    private static InvalidIdentityException assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        InvalidIdentityException e = assertThrows(InvalidIdentityException.class, call);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
        return e;
    }
}

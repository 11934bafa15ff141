package dev.clientauth.certs.test;

import java.nio.file.Path;

/**
 * A temporary directory, deleted after the test, holding the standard files of a {@link TestPki}:
 * {@code ca.pem} (root), {@code chain.pem} (intermediate + root), {@code server.pem},
 * {@code server-key.pem}, {@code client.pem} (leaf + intermediate), {@code client-key.pem}
 * (PKCS#8), {@code client-key-encrypted.pem} (password {@link #PASSWORD}),
 * {@code client.p12} (password {@link #PASSWORD}).
 */
public final class PkiFiles {
    /** The password of every encrypted file written here. Test material only. */
    public static final String PASSWORD = "changeit-test";

    private final Path directory;
    private final TestPki pki;

    PkiFiles(Path directory, TestPki pki) {
        this.directory = directory;
        this.pki = pki;
        Pem.writeFile(directory.resolve("ca.pem"), Pem.certificates(pki.root().certificate()));
        Pem.writeFile(directory.resolve("chain.pem"),
                Pem.certificates(pki.intermediate().certificate(), pki.root().certificate()));
        IssuedCertificate server = pki.serverCertificate();
        Pem.writeFile(directory.resolve("server.pem"), Pem.certificates(server.chain()));
        Pem.writeFile(directory.resolve("server-key.pem"), Pem.pkcs8(server.privateKey()));
        IssuedCertificate client = pki.clientCertificate();
        Pem.writeFile(directory.resolve("client.pem"), Pem.certificates(client.chain()));
        Pem.writeFile(directory.resolve("client-key.pem"), Pem.pkcs8(client.privateKey()));
        Pem.writeFile(directory.resolve("client-key-encrypted.pem"),
                Pem.encryptedPkcs8(client.privateKey(), PASSWORD.toCharArray()));
        Pkcs12.write(directory.resolve("client.p12"),
                Pkcs12.keyStore("client", client, PASSWORD.toCharArray()), PASSWORD.toCharArray());
    }

    public Path directory() {
        return directory;
    }

    public Path resolve(String fileName) {
        return directory.resolve(fileName);
    }

    public TestPki pki() {
        return pki;
    }
}

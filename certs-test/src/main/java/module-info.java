/** The run-time test PKI, PEM and PKCS#12 writers, the SoftHSM2 fixture and JUnit 5 extensions. */
module dev.clientauth.certs.test {
    requires transitive org.junit.jupiter.api;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;

    exports dev.clientauth.certs.test;
}

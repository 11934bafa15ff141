/** Key material shared by the mTLS and JWT assertion modules: PEM certificates, private keys and trust bundles. */
module dev.clientauth.keys {
    requires transitive dev.clientauth.core;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;

    exports dev.clientauth.keys;
}

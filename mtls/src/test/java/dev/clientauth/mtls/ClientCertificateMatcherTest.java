package dev.clientauth.mtls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.TestPki;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientCertificateMatcherTest {
    private static final TestPki PKI = TestPki.create();
    private static final X509Certificate CLIENT = PKI.clientCertificate().certificate();

    @ParameterizedTest
    @ValueSource(strings = {
        "CN=client-1,OU=Integrations,O=clientauth test,C=SE",
        "cn=client-1, ou=Integrations, o=clientauth test, c=SE",
        "CN=client-1 , OU=Integrations ,O=clientauth test,C=SE",
        "CN=client-1,OU=Integrations,O=clientauth\\20test,C=SE",
        "CN=client-1,OU=Integrations,O=clientauth  test,C=SE",
        "2.5.4.3=client-1,OU=Integrations,O=clientauth test,C=SE",
        "CN=CLIENT-1,OU=integrations,O=Clientauth Test,C=se"})
    void subjectDn_sameNameWrittenDifferently_matches(String registered) {
        assertTrue(ClientCertificateMatcher.matchesSubjectDn(CLIENT, registered), registered);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "CN=client-2,OU=Integrations,O=clientauth test,C=SE",
        "C=SE,O=clientauth test,OU=Integrations,CN=client-1",
        "CN=client-1,OU=Integrations,O=clientauth test",
        "CN=client-1,OU=Integrations,O=clientauth test,C=SE,L=Extra",
        "not a dn"})
    void subjectDn_differentName_doesNotMatch(String registered) {
        assertFalse(ClientCertificateMatcher.matchesSubjectDn(CLIENT, registered), registered);
    }

    @Test
    void sanMatching_byType() {
        assertTrue(ClientCertificateMatcher.matchesSanDns(CLIENT, "CLIENT-1.clientauth.test"));
        assertFalse(ClientCertificateMatcher.matchesSanDns(CLIENT, "client-2.clientauth.test"));
        assertTrue(ClientCertificateMatcher.matchesSanUri(CLIENT, TestPki.CLIENT_SAN_URI));
        assertFalse(ClientCertificateMatcher.matchesSanUri(CLIENT, TestPki.CLIENT_SAN_URI.toUpperCase()));
        assertTrue(ClientCertificateMatcher.matchesSanIp(CLIENT, "10.0.0.1"));
        assertFalse(ClientCertificateMatcher.matchesSanIp(CLIENT, "10.0.0.2"));
        assertFalse(ClientCertificateMatcher.matchesSanIp(CLIENT, "client-1.clientauth.test"));
        assertTrue(ClientCertificateMatcher.matchesSanEmail(CLIENT, "client-1@CLIENTAUTH.test"));
        assertFalse(ClientCertificateMatcher.matchesSanEmail(CLIENT, "CLIENT-1@clientauth.test"));
        X509Certificate v6 = PKI.leaf("CN=v6").clientAuth().sanIp("::1").build().certificate();
        assertTrue(ClientCertificateMatcher.matchesSanIp(v6, "0:0:0:0:0:0:0:1"));
        // the DNS SAN does not match as a URI and the other way around
        assertFalse(ClientCertificateMatcher.matchesSanUri(CLIENT, TestPki.CLIENT_SAN_DNS));
    }

    @Test
    void selfSigned_matchedAgainstJwksX5c() throws Exception {
        X509Certificate selfSigned = PKI.selfSignedClientCertificate().certificate();
        Map<String, Object> jwks = Map.of("keys", List.of(
                Map.of("kty", "EC", "x5c", List.of("not base64!")),
                Map.of("kty", "EC", "x5c", List.of(Base64.getEncoder().encodeToString(selfSigned.getEncoded())))));
        assertTrue(ClientCertificateMatcher.matchesSelfSignedJwks(selfSigned, jwks));
        X509Certificate another = PKI.selfSignedClientCertificate().certificate();
        assertFalse(ClientCertificateMatcher.matchesSelfSignedJwks(another, jwks));
        assertFalse(ClientCertificateMatcher.matchesSelfSignedJwks(CLIENT, Map.of("keys",
                List.of(Map.of("x5c", List.of(Base64.getEncoder().encodeToString(CLIENT.getEncoded())))))));
        assertFalse(ClientCertificateMatcher.matchesSelfSignedJwks(selfSigned, Map.of()));
    }
}

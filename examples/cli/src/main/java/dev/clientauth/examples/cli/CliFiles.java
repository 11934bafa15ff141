package dev.clientauth.examples.cli;

import dev.clientauth.keys.TrustBundle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.X509TrustManager;

/** File loading for the CLI, with configuration errors that name the file. */
final class CliFiles {
    private CliFiles() {
    }

    static List<X509Certificate> certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new ConfigurationException("no certificate in " + file);
            }
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : certificates) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + file + ": " + e.getClass().getSimpleName());
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("no valid PEM certificate in " + file);
        }
    }

    static X509TrustManager trustManager(Path bundle) {
        return TrustBundle.of(certificates(bundle));
    }
}

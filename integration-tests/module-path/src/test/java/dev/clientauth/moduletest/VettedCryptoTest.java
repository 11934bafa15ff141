package dev.clientauth.moduletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's main code uses vetted crypto only: JCA/JSSE interfaces and Bouncy Castle's
 * documented high-level APIs (provider, PKIX, PEM, ASN.1), never its lightweight or internal
 * classes. Every class of every library artifact is searched for references to them.
 */
class VettedCryptoTest {
    /** Bouncy Castle packages main code must not reference (in class-file form). */
    static final List<String> FORBIDDEN = List.of("org/bouncycastle/math/", "org/bouncycastle/crypto/",
            "org/bouncycastle/jcajce/provider/", "org/bouncycastle/pqc/", "org/bouncycastle/internal/");
    private static final Pattern ARTIFACT = Pattern.compile("clientauth-(core|keys|mtls|jwt-assertion|dpop|okhttp|httpclient5|micrometer|redis|keyset-jdbc)-[^"
            + Pattern.quote(File.separator) + "]*\\.jar");

    static List<String> forbiddenReferences(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        List<String> found = new ArrayList<>();
        for (String prefix : FORBIDDEN) {
            if (text.contains(prefix)) {
                found.add(prefix);
            }
        }
        return found;
    }

    @Test
    void libraryClasses_referenceNoLightweightOrInternalBouncyCastleClass() throws IOException {
        Set<String> artifacts = new TreeSet<>();
        List<String> violations = new ArrayList<>();
        int classes = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!ARTIFACT.matcher(path.getFileName().toString()).matches() || path.getFileName().toString().contains("tests")) {
                continue;
            }
            artifacts.add(path.getFileName().toString());
            try (JarFile jar = new JarFile(path.toFile())) {
                for (JarEntry classEntry : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                    try (InputStream in = jar.getInputStream(classEntry)) {
                        classes++;
                        for (String prefix : forbiddenReferences(in.readAllBytes())) {
                            violations.add(path.getFileName() + "!" + classEntry.getName() + " -> " + prefix);
                        }
                    }
                }
            }
        }
        assertEquals(10, artifacts.size(), "library artifacts found on the class path: " + artifacts);
        assertTrue(classes > 100, "classes scanned: " + classes);
        assertEquals(List.of(), violations);
    }

    @Test
    void theSearch_findsAReference() throws IOException {
        Path self;
        try (Stream<Path> walk = Files.walk(Path.of("target", "test-classes"))) {
            self = walk.filter(p -> p.toString().endsWith("VettedCryptoTest.class")).findFirst().orElseThrow();
        }
        // this class names the forbidden packages in its constant pool, so the search must find them
        assertEquals(FORBIDDEN, forbiddenReferences(Files.readAllBytes(self)));
        assertEquals(List.of(), forbiddenReferences("org/bouncycastle/asn1/ASN1Sequence".getBytes(StandardCharsets.US_ASCII)));
    }
}

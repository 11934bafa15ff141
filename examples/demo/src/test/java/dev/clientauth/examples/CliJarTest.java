package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** The packaged tool: the library and picocli, no test fixture, benchmark harness, Spring or JUnit class. */
class CliJarTest {
    private static final Path JAR = Path.of("..", "cli", "target", "clientauth.jar");

    @Test
    void cliJar_holdsNoFixtureJmhSpringOrJunitClass() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "build examples/cli first: " + JAR.toAbsolutePath());
        List<String> forbidden = new ArrayList<>();
        boolean hasCli = false;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = jar.entries(); entries.hasMoreElements();) {
                String name = entries.nextElement().getName();
                hasCli |= name.equals("dev/clientauth/examples/cli/ClientAuthCli.class");
                if (name.startsWith("dev/clientauth/certs/") || name.startsWith("org/openjdk/jmh/")
                        || name.startsWith("org/springframework/") || name.startsWith("org/junit/")
                        || name.startsWith("dev/clientauth/examples/demo/") || name.startsWith("dev/clientauth/examples/bench/")
                        || name.startsWith("mockwebserver3/") || name.startsWith("com/google/crypto/tink/")) {
                    forbidden.add(name);
                }
            }
        }
        assertTrue(hasCli);
        assertEquals(List.of(), forbidden);
    }

    @Test
    void cliJar_runsOnItsOwn() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "thumbprint", "--help").redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("Usage: clientauth thumbprint"), out);
    }
}

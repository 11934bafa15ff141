package dev.clientauth.moduletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs {@link Main} as a named module, with every clientauth artifact on the module path. */
class ModulePathTest {
    @Test
    void namedModule_requiresEveryArtifact_seesOnlyTheirApi() throws Exception {
        String dependencies = Files.readString(Path.of("target", "module-path.txt")).strip();
        String modulePath = Path.of("target", "classes") + java.io.File.pathSeparator + dependencies;
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath, "--module", "dev.clientauth.moduletest/dev.clientauth.moduletest.Main")
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("ok: 10 modules"), out);
        assertTrue(out.contains("dev.clientauth.core hides dev.clientauth.core.internal"), out);
        for (String api : List.of("dev.clientauth.core exports dev.clientauth.core.jdk", "dev.clientauth.jwt exports dev.clientauth.jwt.verifier",
                "dev.clientauth.jwt hides dev.clientauth.jwt.internal", "dev.clientauth.okhttp exports dev.clientauth.okhttp")) {
            assertTrue(out.contains(api), api + "\n" + out);
        }
    }
}

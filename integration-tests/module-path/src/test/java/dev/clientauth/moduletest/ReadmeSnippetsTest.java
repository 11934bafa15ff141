package dev.clientauth.moduletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of the README compiles against the library: its {@code import} lines
 * go to the top of a class, the rest becomes the body of a method. The only names a block may use
 * without declaring them are the stand-ins below, which the README's prose names.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("..", "..", "README.md");
    private static final String STAND_INS = """
                /** Stands for a KMS client's sign call. */
                static byte[] kmsSign(byte[] input) {
                    throw new UnsupportedOperationException();
                }
            """;

    static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : markdown.split("\n", -1)) {
            if (current == null && line.strip().equals("```java")) {
                current = new StringBuilder();
            } else if (current != null && line.strip().equals("```")) {
                blocks.add(current.toString());
                current = null;
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        return blocks;
    }

    static String compilationUnit(String className, String block) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return "package readme;\n" + imports + "\nfinal class " + className + " {\n" + STAND_INS
                + "    void snippet() throws Exception {\n" + body + "    }\n}\n";
    }

    @Test
    void everyJavaBlock_compiles() throws IOException {
        List<String> blocks = javaBlocks(Files.readString(README, StandardCharsets.UTF_8));
        assertTrue(blocks.size() >= 6, "java blocks found: " + blocks.size());
        Path dir = Files.createTempDirectory("readme-snippets");
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Path source = dir.resolve("readme").resolve("Snippet" + i + ".java");
            Files.createDirectories(source.getParent());
            Files.writeString(source, compilationUnit("Snippet" + i, blocks.get(i)));
            sources.add(source);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            StringWriter out = new StringWriter();
            boolean ok = compiler.getTask(out, files, diagnostics, List.of("-proc:none", "-d", dir.resolve("classes").toString(),
                    "-classpath", System.getProperty("java.class.path"), "--release", "17"), null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            StringBuilder report = new StringBuilder(out.toString());
            diagnostics.getDiagnostics().forEach(d -> report.append(d).append('\n'));
            assertTrue(ok, report.toString());
            assertEquals(0, diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR).count(), report.toString());
        }
    }

    @Test
    void aBlockThatDoesNotCompile_isCaught() {
        String broken = compilationUnit("Broken", "import dev.clientauth.core.TokenSource;\nTokenSource.noSuchMethod();\n");
        assertTrue(broken.contains("void snippet() throws Exception {\nTokenSource.noSuchMethod();"), broken);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        javax.tools.SimpleJavaFileObject source = new javax.tools.SimpleJavaFileObject(
                java.net.URI.create("string:///readme/Broken.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return broken;
            }
        };
        boolean ok = compiler.getTask(new StringWriter(), null, new DiagnosticCollector<>(), List.of("-proc:none",
                "-classpath", System.getProperty("java.class.path"), "-d", System.getProperty("java.io.tmpdir")),
                null, List.of(source)).call();
        assertEquals(false, ok);
    }
}

package dev.clientauth.certs.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test method (or constructor) a fresh {@link TestPki} and a {@link PkiFiles} directory
 * with that PKI's standard files, deleted when the test ends.
 *
 * <pre>
 * &#64;ExtendWith(TestPkiExtension.class)
 * class FooTest {
 *     &#64;Test void works(TestPki pki, PkiFiles files) { ... }
 * }
 * </pre>
 */
public final class TestPkiExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(TestPkiExtension.class);

    /** Created by JUnit for {@code @ExtendWith(TestPkiExtension.class)}. */
    public TestPkiExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestPki.class || type == PkiFiles.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        TestPki pki = store.computeIfAbsent("pki", key -> TestPki.create(), TestPki.class);
        if (parameterContext.getParameter().getType() == TestPki.class) {
            return pki;
        }
        return store.computeIfAbsent("files", key -> new Directory(pki), Directory.class).files;
    }

    private static final class Directory implements AutoCloseable {
        final PkiFiles files;

        Directory(TestPki pki) {
            try {
                this.files = new PkiFiles(Files.createTempDirectory("clientauth-pki"), pki);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> paths = Files.walk(files.directory())) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}

package dev.clientauth.examples.cli;

import dev.clientauth.core.CertificateThumbprint;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clientauth thumbprint}: prints the {@code x5t#S256} of a certificate's leaf. */
@Command(name = "thumbprint", mixinStandardHelpOptions = true,
        description = "Print the x5t#S256 thumbprint of the leaf certificate in a PEM file.")
final class ThumbprintCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cert", required = true, description = "PEM file; the first certificate is the leaf")
    Path cert;

    @Option(names = "--verbose", description = "print a stack trace on failure")
    boolean verbose;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(CertificateThumbprint.of(CliFiles.certificates(cert).get(0)).value());
        return ClientAuthCli.OK;
    }
}

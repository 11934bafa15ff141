package dev.clientauth.examples.cli;

import dev.clientauth.examples.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code clientauth demo}: runs the embedded end-to-end demo on loopback. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the end-to-end demo: an authorization server and a resource server on 127.0.0.1.")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        return Demo.run(spec.commandLine().getOut()) ? ClientAuthCli.OK : 1;
    }
}

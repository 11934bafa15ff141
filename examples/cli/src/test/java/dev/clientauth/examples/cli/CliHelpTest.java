package dev.clientauth.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The tool's help: every command and every option is described; the commands are the documented ones. */
class CliHelpTest {
    private static List<CommandSpec> allCommands(CommandSpec spec) {
        List<CommandSpec> all = new ArrayList<>(List.of(spec));
        for (CommandLine sub : spec.subcommands().values()) {
            all.addAll(allCommands(sub.getCommandSpec()));
        }
        return all;
    }

    @Test
    void everyOptionOfEveryCommand_hasADescription() {
        List<String> undescribed = new ArrayList<>();
        for (CommandSpec command : allCommands(new CommandLine(new ClientAuthCli()).getCommandSpec())) {
            if (String.join("", command.usageMessage().description()).isBlank()) {
                undescribed.add(command.qualifiedName());
            }
            for (OptionSpec option : command.options()) {
                if (String.join("", option.description()).isBlank()) {
                    undescribed.add(command.qualifiedName() + " " + option.longestName());
                }
            }
        }
        assertEquals(List.of(), undescribed);
    }

    @Test
    void commands_areTheDocumentedOnes() {
        CommandLine cli = new CommandLine(new ClientAuthCli());
        assertEquals(Set.of("token", "dpop-proof", "thumbprint", "jwks", "keys"), cli.getSubcommands().keySet());
    }

    @Test
    void help_exitsZero_andListsTheCommands() {
        StringWriter out = new StringWriter();
        int code = ClientAuthCli.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--help");
        assertEquals(0, code);
        for (String command : List.of("token", "thumbprint", "jwks", "keys")) {
            assertTrue(out.toString().contains(command), out.toString());
        }
    }

    @Test
    void unknownOption_exitsTwo() {
        StringWriter err = new StringWriter();
        assertEquals(ClientAuthCli.USAGE, ClientAuthCli.run(new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true), "token", "--no-such-option"));
        assertTrue(err.toString().startsWith("error: "), err.toString());
    }
}

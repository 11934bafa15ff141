package dev.clientauth.examples;

import dev.clientauth.examples.demo.DemoServers;

/** One set of demo servers (Spring Authorization Server, resource server) per test JVM. */
final class SharedServers {
    private static DemoServers servers;

    private SharedServers() {
    }

    static synchronized DemoServers get() throws Exception {
        if (servers == null) {
            servers = DemoServers.start();
            Runtime.getRuntime().addShutdownHook(new Thread(servers::close));
        }
        return servers;
    }
}

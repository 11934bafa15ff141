package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.examples.demo.Demo;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class DemoTest {
    @Test
    void demo_everyMethodSucceeds_andTheStolenTokenIsRejected() throws Exception {
        StringWriter out = new StringWriter();
        boolean ok = Demo.run(new PrintWriter(out, true));
        String table = out.toString();
        assertTrue(ok, table);
        for (String method : new String[] {"client_secret_basic", "client_secret_post", "client_secret_jwt",
                "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"}) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith(method + " ") && l.contains("200 OK")), method + "\n" + table);
        }
        for (String method : new String[] {"client_secret_basic + DPoP", "private_key_jwt + DPoP"}) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith(method + " ") && l.contains("jkt=") && l.contains("200 OK")),
                    method + "\n" + table);
        }
        assertTrue(table.lines().anyMatch(l -> l.startsWith("rejection: token bound to") && l.contains("-> HTTP 401")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("rejection: DPoP token") && l.contains("-> HTTP 401")), table);
        assertTrue(table.contains("every row succeeded"), table);
    }
}

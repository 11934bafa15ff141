package dev.clientauth.moduletest;

import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.httpclient5.BearerTokenExecHandler;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.keys.TrustBundle;
import dev.clientauth.mtls.TlsClientAuth;
import dev.clientauth.okhttp.OkHttpBearer;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.util.List;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * Builds something from every artifact on the module path and checks the descriptors: each
 * artifact is an explicit (not automatic) module, and only its API packages are readable here.
 * Prints one line per check; exits 1 on the first failure.
 */
public final class Main {
    private static final List<String> MODULES = List.of("dev.clientauth.core", "dev.clientauth.keys",
            "dev.clientauth.mtls", "dev.clientauth.jwt", "dev.clientauth.dpop", "dev.clientauth.okhttp", "dev.clientauth.httpclient5",
            "dev.clientauth.micrometer", "dev.clientauth.redis", "dev.clientauth.keyset.jdbc");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Module self = Main.class.getModule();
        check(self.isNamed(), "this module is named: " + self.getName());
        for (String name : MODULES) {
            Module module = ModuleLayer.boot().findModule(name).orElse(null);
            check(module != null, name + " is on the module path");
            ModuleDescriptor descriptor = module.getDescriptor();
            check(!descriptor.isAutomatic(), name + " has a module descriptor");
            for (String pkg : descriptor.packages()) {
                boolean internal = pkg.contains(".internal");
                check(module.isExported(pkg, self) != internal, name + (internal ? " hides " : " exports ") + pkg);
            }
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        PrivateKeyJwt keyJwt = PrivateKeyJwt.of(ClientId.of("m"), JcaSigner.of(generator.generateKeyPair()));
        check(keyJwt.method().value().equals("private_key_jwt"), "jwt-assertion: " + keyJwt.method());
        String proof = dev.clientauth.dpop.DPoPKey.generate().proof("GET", URI.create("https://api.example/x"));
        check(proof.split("\\.").length == 3, "dpop: proof made");
        check(TlsClientAuth.class.getModule().getName().equals("dev.clientauth.mtls"), "mtls: TlsClientAuth loaded");
        ClientTls tls = ClientTls.builder().trust(TrustBundle.jdkDefault()).build();
        try (TokenSource tokens = TokenSource.forTokenEndpoint(URI.create("https://as.example/token"),
                ClientSecretBasic.of(ClientId.of("m"), Secret.of("module-path-secret"))).tls(tls).build();
                CloseableHttpClient apache = BearerTokenExecHandler.of(tokens)) {
            check(BearerHttpClient.of(tokens).httpClient() != null, "core: JDK adapter built");
            check(OkHttpBearer.of(tokens).sslSocketFactory() != null, "okhttp: adapter built");
            check(apache != null, "httpclient5: adapter built");
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            new dev.clientauth.micrometer.TokenSourceMetrics(tokens).bindTo(registry);
            check(registry.find("clientauth.token.cache.hits").functionCounter() != null, "micrometer: meters bound");
            check(dev.clientauth.redis.RedisReplayCache.class.getModule().getName().equals("dev.clientauth.redis"),
                    "redis: RedisReplayCache loaded");
            check(dev.clientauth.keyset.jdbc.JdbcKeySetStore.schema("postgresql").contains("clientauth_key_set"),
                    "keyset-jdbc: the DDL is readable from the module");
        }
        System.out.println("ok: " + MODULES.size() + " modules");
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            System.out.println("FAILED: " + what);
            System.exit(1);
        }
        System.out.println("checked: " + what);
    }
}

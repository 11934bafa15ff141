package dev.clientauth.core;

import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.jdk.JdkHttpTransport;
import java.time.Duration;

class JdkHttpTransportContractTest extends HttpTransportContract {
    @Override
    protected HttpTransport transport(ClientTls tls, Duration readTimeout) {
        return JdkHttpTransport.builder().tls(tls).readTimeout(readTimeout).build();
    }
}

package dev.clientauth.okhttp;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.HttpTransportContract;
import dev.clientauth.core.http.HttpTransport;
import java.time.Duration;

class OkHttpTransportContractTest extends HttpTransportContract {
    @Override
    protected HttpTransport transport(ClientTls tls, Duration readTimeout) {
        return OkHttpTransport.create(tls, Duration.ofSeconds(5), readTimeout);
    }
}

package dev.clientauth.httpclient5;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.HttpTransportContract;
import dev.clientauth.core.http.HttpTransport;
import java.time.Duration;

class ApacheHttpTransportContractTest extends HttpTransportContract {
    @Override
    protected HttpTransport transport(ClientTls tls, Duration readTimeout) {
        return ApacheHttpTransport.create(tls, Duration.ofSeconds(5), readTimeout);
    }
}

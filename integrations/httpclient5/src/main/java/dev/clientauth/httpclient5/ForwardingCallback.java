package dev.clientauth.httpclient5;

import java.io.IOException;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;

/** An async exec callback that hands everything on to another; subclasses change what they need. */
class ForwardingCallback implements AsyncExecCallback {
    final AsyncExecCallback target;

    ForwardingCallback(AsyncExecCallback target) {
        this.target = target;
    }

    @Override
    public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails details) throws HttpException, IOException {
        return target.handleResponse(response, details);
    }

    @Override
    public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
        target.handleInformationResponse(response);
    }

    @Override
    public void completed() {
        target.completed();
    }

    @Override
    public void failed(Exception cause) {
        target.failed(cause);
    }
}

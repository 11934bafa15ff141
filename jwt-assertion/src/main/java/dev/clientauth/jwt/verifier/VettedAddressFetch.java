package dev.clientauth.jwt.verifier;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.core.internal.Printable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * The default way a {@link JwksCache} fetches: a GET over one connection to an address that
 * passed the address policy — the name is resolved once, every address is checked, and the
 * connection goes to a checked address, so a DNS answer that changes between check and connect
 * (rebinding) cannot redirect the fetch. TLS from a {@link ClientTls} (TLS 1.3/1.2, SNI and
 * hostname verification against the name); {@code Connection: close}; a deadline for the whole
 * exchange; the response (headers and body) bounded in size. Not a general HTTP client: GET, one
 * request per connection, no redirects, no compression.
 */
final class VettedAddressFetch implements HttpTransport {
    private static final int MAX_HEADER_BYTES = 32 * 1024;
    private final ClientTls tls;
    private final boolean allowPrivateAddresses;
    private final Duration timeout;
    private final int maxBodyBytes;

    VettedAddressFetch(ClientTls tls, boolean allowPrivateAddresses, Duration timeout, int maxBodyBytes) {
        this.tls = tls;
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public TransportResponse execute(TransportRequest request) throws TokenRequestException {
        URI uri = request.uri();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        InetAddress[] addresses = vettedAddresses(uri, host);
        long deadline = System.nanoTime() + timeout.toNanos();
        AtomicReference<Socket> current = new AtomicReference<>();
        // a watchdog closes the connection at the deadline: no read outlives it, whatever the TLS layer does with timeouts
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(current.get()), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (Socket raw = connect(addresses, port, deadline, current)) {
            raw.setSoTimeout((int) timeout.toMillis());
            Socket socket = https ? tls.sslContext().getSocketFactory().createSocket(raw, host, port, true) : raw;
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                if (socket instanceof SSLSocket ssl) {
                    ssl.startHandshake();
                }
                OutputStream out = socket.getOutputStream();
                out.write(requestBytes(request, uri, host, port, https));
                out.flush();
                byte[] response = readAll(socket.getInputStream(), deadline, uri);
                return parse(response, uri);
            } finally {
                if (socket != raw) {
                    socket.close();
                }
            }
        } catch (TokenRequestException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw new TokenTransportException("no complete response from " + uri + " in time", e, true);
        } catch (SSLException e) {
            throw new TokenTransportException("TLS failure with " + uri + ": " + Printable.of(e.getMessage()), e);
        } catch (IOException | RuntimeException e) {
            if (System.nanoTime() >= deadline) {
                throw new TokenTransportException("no complete response from " + uri + " in time", e, true);
            }
            throw new TokenTransportException("fetching " + uri + " failed: " + e.getClass().getSimpleName(), e);
        } finally {
            watchdog.cancel(false);
        }
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "clientauth-jwks-fetch-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private static void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is wanted
        }
    }

    /**
     * Connects to the first of the checked addresses that accepts, within the deadline; the
     * socket being tried is kept in {@code current} for the watchdog to close.
     */
    private static Socket connect(InetAddress[] addresses, int port, long deadline, AtomicReference<Socket> current)
            throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            Socket socket = new Socket();
            current.set(socket);
            try {
                socket.connect(new InetSocketAddress(address, port), (int) left);
                return socket;
            } catch (IOException e) {
                closeQuietly(socket);
                last = e;
            }
        }
        throw last != null ? last : new SocketTimeoutException("deadline passed before connecting");
    }

    private InetAddress[] vettedAddresses(URI uri, String host) throws TokenTransportException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new TokenTransportException("unknown host " + host, e);
        }
        if (!allowPrivateAddresses) {
            for (InetAddress address : addresses) {
                if (!JwksCache.isPublic(address)) {
                    throw new TokenTransportException("host " + host + " of " + uri + " has the non-public address "
                            + address.getHostAddress() + "; call allowPrivateAddresses() to fetch it anyway", null);
                }
            }
        }
        return addresses;
    }

    private static byte[] requestBytes(TransportRequest request, URI uri, String host, int port, boolean https) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (port == (https ? 443 : 80) ? "" : ":" + port);
        StringBuilder text = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\nConnection: close\r\nAccept-Encoding: identity\r\n");
        request.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Connection")) {
                text.append(name).append(": ").append(value).append("\r\n");
            }
        });
        return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads one response: the header, then as many body bytes as its Content-Length says, or its
     * chunks up to the last one, or (with neither) until the server closes. Servers may keep the
     * connection open despite {@code Connection: close}, so the framing decides, not the end of
     * the stream.
     */
    private byte[] readAll(InputStream in, long deadline, URI uri) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) != -1) {
            out.write(chunk, 0, n);
            if (out.size() > MAX_HEADER_BYTES + maxBodyBytes + 64 * 1024) { // body plus chunk framing
                throw new MalformedTokenResponseException("response from " + uri + " exceeds the limit of "
                        + maxBodyBytes + " bytes", 0);
            }
            if (complete(out.toByteArray(), uri)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException("deadline passed");
            }
        }
        return out.toByteArray();
    }

    /** Whether {@code bytes} hold a whole response (a framed body is complete). */
    private boolean complete(byte[] bytes, URI uri) throws MalformedTokenResponseException {
        int end = indexOf(bytes, new byte[] {'\r', '\n', '\r', '\n'}, 0);
        if (end < 0) {
            return false;
        }
        Map<String, List<String>> headers = headers(bytes, end, uri);
        String encoding = first(headers, "Transfer-Encoding");
        String length = first(headers, "Content-Length");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return dechunk(bytes, end + 4, uri, 0) != null;
        }
        if (length != null) {
            try {
                return bytes.length - (end + 4) >= Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                return true; // parse() reports it
            }
        }
        return false;
    }

    private static Map<String, List<String>> headers(byte[] response, int end, URI uri) throws MalformedTokenResponseException {
        String[] lines = new String(response, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new MalformedTokenResponseException("response from " + uri + " has an invalid header line", 0);
            }
            headers.computeIfAbsent(lines[i].substring(0, colon).strip(), k -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
        }
        return headers;
    }

    private TransportResponse parse(byte[] response, URI uri) throws MalformedTokenResponseException {
        int end = indexOf(response, new byte[] {'\r', '\n', '\r', '\n'}, 0);
        if (end < 0 || end > MAX_HEADER_BYTES) {
            throw new MalformedTokenResponseException("response from " + uri + " has no complete header", 0);
        }
        String[] lines = new String(response, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        int code;
        try {
            if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
                throw new NumberFormatException();
            }
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new MalformedTokenResponseException("response from " + uri + " has no valid status line", 0);
        }
        Map<String, List<String>> headers = headers(response, end, uri);
        int bodyStart = end + 4;
        byte[] body;
        String encoding = first(headers, "Transfer-Encoding");
        String length = first(headers, "Content-Length");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = dechunk(response, bodyStart, uri, code);
            if (body == null) {
                throw new MalformedTokenResponseException("response from " + uri + " ended inside a chunk", code);
            }
        } else if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new MalformedTokenResponseException("response from " + uri + " has an invalid Content-Length", code);
            }
            if (declared > maxBodyBytes) {
                throw new MalformedTokenResponseException("response from " + uri + " exceeds the limit of " + maxBodyBytes
                        + " bytes", code);
            }
            if (declared < 0 || response.length - bodyStart < declared) {
                throw new MalformedTokenResponseException("response from " + uri + " ended before its Content-Length", code);
            }
            body = java.util.Arrays.copyOfRange(response, bodyStart, bodyStart + (int) declared);
        } else {
            body = java.util.Arrays.copyOfRange(response, bodyStart, response.length);
        }
        if (body.length > maxBodyBytes) {
            throw new MalformedTokenResponseException("response from " + uri + " exceeds the limit of " + maxBodyBytes
                    + " bytes", code);
        }
        return new TransportResponse(code, headers, body);
    }

    /** The chunked body from {@code from}; null while the last chunk has not arrived. */
    private byte[] dechunk(byte[] response, int from, URI uri, int code) throws MalformedTokenResponseException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int position = from;
        while (true) {
            int lineEnd = indexOf(response, new byte[] {'\r', '\n'}, position);
            if (lineEnd < 0 && response.length - position <= 16 + 256) {
                return null; // the size line has not arrived yet
            }
            if (lineEnd < 0 || lineEnd - position > 16 + 256) {
                throw new MalformedTokenResponseException("response from " + uri + " has an invalid chunk", code);
            }
            String sizeText = new String(response, position, lineEnd - position, StandardCharsets.ISO_8859_1);
            int semicolon = sizeText.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon >= 0 ? sizeText.substring(0, semicolon) : sizeText).strip(), 16);
            } catch (NumberFormatException e) {
                throw new MalformedTokenResponseException("response from " + uri + " has an invalid chunk size", code);
            }
            position = lineEnd + 2;
            if (size == 0) {
                return body.toByteArray();
            }
            if (size < 0 || body.size() + size > maxBodyBytes) {
                throw new MalformedTokenResponseException("response from " + uri + " exceeds the limit of " + maxBodyBytes
                        + " bytes", code);
            }
            if (response.length - position < size + 2) {
                return null; // the chunk has not arrived yet
            }
            body.write(response, position, size);
            position += size + 2;
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return null;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public String toString() {
        return "VettedAddressFetch[" + tls + ", " + (allowPrivateAddresses ? "private addresses allowed" : "public addresses only") + "]";
    }
}

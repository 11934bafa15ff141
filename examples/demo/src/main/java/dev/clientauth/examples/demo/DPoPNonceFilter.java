package dev.clientauth.examples.demo;

import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.dpop.DPoPNonceSource;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a Spring server demand DPoP nonces (RFC 9449 §8, §9), which Spring Security does not do
 * itself: while {@link #demand} is set, a request whose DPoP proof lacks a current nonce of
 * {@link DPoPNonceSource} is answered {@code use_dpop_nonce} with a fresh {@code DPoP-Nonce} — as
 * a token endpoint (400 and a JSON error) or as a resource server (401 and a {@code DPoP}
 * challenge). The proof itself is verified by Spring Security behind this filter; this filter
 * only reads its {@code nonce} claim.
 */
public final class DPoPNonceFilter implements Filter {
    /** Whether nonces are demanded. */
    public final AtomicBoolean demand = new AtomicBoolean();
    private final DPoPNonceSource nonces;
    private final boolean tokenEndpoint;

    public DPoPNonceFilter(DPoPNonceSource nonces, boolean tokenEndpoint) {
        this.nonces = nonces;
        this.tokenEndpoint = tokenEndpoint;
    }

    public DPoPNonceSource nonces() {
        return nonces;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        HttpServletResponse out = (HttpServletResponse) response;
        String proof = http.getHeader("DPoP");
        if (!demand.get() || proof == null) {
            chain.doFilter(request, response);
            return;
        }
        Object nonce;
        try {
            nonce = SignedJWT.parse(proof).getJWTClaimsSet().getClaim("nonce");
        } catch (ParseException e) {
            nonce = null; // Spring Security refuses the proof itself
        }
        if (nonce instanceof String value && nonces.accepts(value)) {
            out.setHeader("DPoP-Nonce", nonces.current());
            chain.doFilter(request, response);
            return;
        }
        out.setHeader("DPoP-Nonce", nonces.current());
        out.setHeader("Cache-Control", "no-store");
        if (tokenEndpoint) {
            out.setStatus(400);
            out.setContentType("application/json");
            out.getOutputStream().write("{\"error\":\"use_dpop_nonce\",\"error_description\":\"Authorization server requires nonce in DPoP proof\"}"
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            out.setStatus(401);
            out.setHeader("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"");
        }
    }
}

package io.redtask.web.security;

import io.redtask.cdi.RedTaskConfig;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * What every request to the war passes before anything else, whatever it is for:
 * <ol>
 *   <li><b>Host.</b> A request that arrives on a loopback address must name a loopback host
 *       ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) or one of
 *       {@code redtask.rest.allowed-hosts}: a web page whose own host name an attacker points at
 *       127.0.0.1 (DNS rebinding) would otherwise be "same origin" with the open task API.</li>
 *   <li><b>Cross-site.</b> A state-changing request (anything but GET, HEAD, OPTIONS) whose
 *       {@code Origin} - or, without one, {@code Referer} - is not this server's own origin (the
 *       scheme and {@code Host} of the request) or one of {@code redtask.rest.allowed-origins}
 *       is refused with 403: a page elsewhere cannot make a browser submit, cancel, pause or retry
 *       with the user's login. Clients that send neither (curl, scripts) are not browsers and are
 *       let through.</li>
 *   <li><b>Content type.</b> A POST or PUT with a body that is not {@code application/json} is
 *       refused with 415: HTML forms can only send form encodings and text/plain, and a JSON
 *       content type makes a browser ask first (CORS), which this server never allows.</li>
 *   <li><b>Size.</b> A body larger than {@code redtask.limits.body-bytes} (1 MB) is refused with
 *       413, counted as it is read (a missing or false Content-Length changes nothing).</li>
 *   <li><b>Headers.</b> A Content-Security-Policy: strict for the dashboard (its own scripts and
 *       styles only), none at all for everything else; {@code frame-ancestors 'none'} everywhere.
 *       ({@code X-Content-Type-Options} and {@code Referrer-Policy} are set by the server for every
 *       response, Liberty's own included: liberty/server.xml.)</li>
 * </ol>
 * Every refusal is a JSON {@code {"error"}} naming the problem.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class RequestGuard extends HttpFilter {

    private static final long serialVersionUID = 1L;

    /** The dashboard: its own files only; data: for the favicon; no inline code, no framing. */
    static final String DASHBOARD_CSP =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** JSON and the start page: nothing runs, only the start page's own inline style. */
    static final String OTHER_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Inject
    transient Provider<RedTaskConfig.Web> web;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // The path as the container mapped it (decoded, normalized, without ;parameters).
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        boolean dashboard = path.equals("/dashboard") || path.startsWith("/dashboard/");
        response.setHeader("Content-Security-Policy", dashboard ? DASHBOARD_CSP : OTHER_CSP);
        response.setHeader("X-Frame-Options", "DENY");
        RedTaskConfig.Web settings = web.get();

        String hostProblem = hostProblem(request, settings);
        if (hostProblem != null) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, hostProblem, "Host");
            return;
        }
        if (settings.httpsLogins() && !request.isSecure()) {
            // Passwords must not cross the network in clear text: no login is asked for or taken here.
            if (dashboard) {
                response.sendRedirect(httpsUrl(request, settings));
                return;
            }
            if (request.getHeader("Authorization") != null) {
                refuse(
                        response,
                        HttpServletResponse.SC_FORBIDDEN,
                        "this server takes logins only over HTTPS: " + httpsUrl(request, settings),
                        "Authorization");
                return;
            }
        }
        if (dashboard && !dashboardAccess(request, response)) {
            return;
        }
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        if (SAFE_METHODS.contains(method)) {
            chain.doFilter(request, response);
            return;
        }
        String originProblem = originProblem(request, settings);
        if (originProblem != null) {
            refuse(
                    response,
                    HttpServletResponse.SC_FORBIDDEN,
                    originProblem,
                    request.getHeader("Origin") != null ? "Origin" : "Referer");
            return;
        }
        if (!hasBody(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))
                && !isJson(request.getContentType())) {
            refuse(
                    response,
                    HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
                    method + " bodies must be JSON in UTF-8: send "
                            + "Content-Type: application/json (curl: -H 'Content-Type: application/json'); was "
                            + (request.getContentType() == null ? "none" : "'" + shown(request.getContentType()) + "'"),
                    "Content-Type");
            return;
        }
        long limit = settings.bodyBytes();
        if (request.getContentLengthLong() > limit) {
            refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, tooLarge(limit), "body");
            return;
        }
        byte[] body = read(request.getInputStream(), limit);
        if (body == null) {
            refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, tooLarge(limit), "body");
            return;
        }
        chain.doFilter(new BufferedBody(request, body), response);
    }

    /**
     * The dashboard's pages need the admin role. They are files, with no resource method to carry
     * a rule, and are checked here rather than by a web.xml constraint so that, with HTTPS logins
     * required, the redirect to HTTPS comes before any password is asked for.
     */
    private static boolean dashboardAccess(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        if (request.getUserPrincipal() == null) {
            // Liberty has checked any Basic credentials sent (they are used on every page): none, or wrong ones.
            response.setHeader("WWW-Authenticate", "Basic realm=\"RedTask\"");
            refuse(
                    response,
                    HttpServletResponse.SC_UNAUTHORIZED,
                    "authentication required: the dashboard needs the " + "role admin",
                    null);
            return false;
        }
        if (!request.isUserInRole(AccessFilter.ADMIN)) {
            refuse(
                    response,
                    HttpServletResponse.SC_FORBIDDEN,
                    "user '" + request.getUserPrincipal().getName() + "' lacks the role admin needed for the dashboard",
                    null);
            return false;
        }
        return true;
    }

    /** This request's URL on the HTTPS port ({@code redtask.https.port}). */
    static String httpsUrl(HttpServletRequest request, RedTaskConfig.Web settings) {
        String host = hostName(request.getHeader("Host"));
        if (host == null) {
            host = request.getServerName();
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        String query = request.getQueryString() == null ? "" : "?" + request.getQueryString();
        return "https://" + host + (settings.httpsPort() == 443 ? "" : ":" + settings.httpsPort())
                + request.getRequestURI() + query;
    }

    private static String tooLarge(long limit) {
        return "the request body is larger than " + limit + " bytes (redtask.limits.body-bytes)";
    }

    // ------------------------------------------------------------------------------------ Host

    private static String hostProblem(HttpServletRequest request, RedTaskConfig.Web settings) {
        if (!isLoopback(request.getLocalAddr())) {
            return null;
        }
        String host = hostName(request.getHeader("Host"));
        if (host == null) {
            // HTTP/1.0 without Host: no browser sends that.
            return null;
        }
        if (host.equals("localhost")
                || host.endsWith(".localhost")
                || isLoopbackLiteral(host)
                || settings.allowedHosts().contains(host)) {
            return null;
        }
        return "this server listens on loopback and answers only requests for localhost, 127.0.0.1 or [::1] "
                + "(add other names to redtask.rest.allowed-hosts); Host was '" + shown(host) + "'";
    }

    /** The host name of a Host header, lower case, without port or IPv6 brackets. */
    static String hostName(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(1, close);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static boolean isLoopback(String address) {
        if (address == null) {
            return false;
        }
        return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
    }

    private static boolean isLoopbackLiteral(String host) {
        if (!host.matches("[0-9.]+|[0-9a-f:]+")) {
            return false;
        }
        try {
            // A literal is parsed, never looked up.
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------- Origin

    private static String originProblem(HttpServletRequest request, RedTaskConfig.Web settings) {
        String origin = request.getHeader("Origin");
        String source = "Origin";
        if (origin == null) {
            String referer = request.getHeader("Referer");
            if (referer == null) {
                return null;
            }
            origin = originOf(referer);
            source = "Referer";
            if (origin == null) {
                return "the Referer '" + shown(referer) + "' is not a URL of this server";
            }
        }
        String normalized = normalize(origin);
        String own = ownOrigin(request);
        if (normalized != null
                && (normalized.equals(own) || settings.allowedOrigins().contains(normalized))) {
            return null;
        }
        return "cross-site request refused: " + source + " '" + shown(origin) + "' is not this server's origin (" + own
                + ") nor in redtask.rest.allowed-origins";
    }

    /** scheme://host[:port] of the request as its client addressed it. */
    private static String ownOrigin(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null || host.isBlank()) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return normalize(request.getScheme() + "://" + host.strip());
    }

    /** scheme://host[:port] of a URL, or null. */
    private static String originOf(String url) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || u.getRawAuthority() == null) {
                return null;
            }
            return u.getScheme() + "://" + u.getRawAuthority().replaceFirst("^.*@", "");
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Lower case, default ports dropped, no trailing slash; null when it is not an origin ("null" is not). */
    static String normalize(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        while (o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        if (!o.startsWith("http://") && !o.startsWith("https://")) {
            return null;
        }
        if (o.startsWith("http://") && o.endsWith(":80")) {
            o = o.substring(0, o.length() - 3);
        } else if (o.startsWith("https://") && o.endsWith(":443")) {
            o = o.substring(0, o.length() - 4);
        }
        return o;
    }

    // ------------------------------------------------------------------------------------ body

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /** {@code application/json}, in UTF-8 if a charset is named at all (RFC 8259: JSON is UTF-8). */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
        if (!parts[0].strip().equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.startsWith("charset=")
                    && !p.substring(8).replace("\"", "").strip().equals("utf-8")) {
                return false;
            }
        }
        return true;
    }

    /** The whole body, or null when it is longer than {@code limit}. */
    private static byte[] read(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static String shown(String text) {
        String t = text.replaceAll("[\\p{Cntrl}]", "?");
        return t.length() <= 100 ? t : t.substring(0, 100) + "...";
    }

    private static void refuse(HttpServletResponse response, int status, String message, String field)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        JsonObjectBuilder body = Json.createObjectBuilder().add("error", message);
        if (field != null) {
            body.add("field", field);
        }
        response.getWriter().write(body.build().toString());
    }

    /** The request with its body already read (and counted). */
    private static final class BufferedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            // Only UTF-8 bodies get this far (isJson).
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}

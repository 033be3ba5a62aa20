package io.redtask.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answers Liberty gives itself to odd paths, sent byte for byte over a socket (no client
 * normalizes them): every one the application can shape is a 4xx with a JSON {@code {"error"}}
 * and the security headers; the few Liberty writes before it has chosen an application are
 * pinned down as they are (README "Security"), so a Liberty upgrade that changes them is seen.
 */
@ExtendWith(ArquillianExtension.class)
class ContainerErrorsIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("container-errors-it");
    }

    @ArquillianResource
    URL injected;

    /** Paths the web container refuses inside the application: its error page answers. */
    private static final List<String> SHAPED_BY_THE_APPLICATION = List.of(
            // 403 SRVE0190E from the file serving: a file name followed by a slash
            "/index.html/",
            "/index.htm%6c/",
            "/index.html;x=y/",
            // 403 "Invalid URI passed to Security Collaborator"
            "/dashboard/..%5c",
            // 400 from the application's own URI check
            "/dashboard/..%2F",
            "/dashboard/%2e%2e/",
            "/api/%2e%2e/",
            "/api/tasks/..%2F..%2F",
            "/index.html%2F",
            "/%2e",
            // 404s of files that must never be served
            "/WEB-INF/web.xml",
            "/META-INF/MANIFEST.MF",
            "/dashboard/%2e%2e%2fWEB-INF/web.xml",
            "/api/../WEB-INF/web.xml",
            "/index.html::$DATA",
            "/favicon.ico/");

    /**
     * Paths Liberty's web container refuses in {@code WebContainer.handleRequest}, while it
     * decodes and canonicalizes the URI and before it picks the application: no error page,
     * filter or servlet of any application sees them (CWWWC0005I).
     */
    private static final List<String> REFUSED_BEFORE_ANY_APPLICATION = List.of(
            "/%00",
            "/api/tasks/x%00",
            "/dashboard/dashboard.js%00",
            "/dashboard/..%2f..%2f",
            "/..%2f",
            "/x/..;/..;/",
            "/%zz",
            "/a%0d%0aX:y");

    @Test
    void oddPathsTheApplicationCanAnswerAreJsonErrorsWithTheSecurityHeaders() throws IOException {
        for (String path : SHAPED_BY_THE_APPLICATION) {
            for (String accept : new String[] {"*/*", "text/html"}) {
                Answer a = get(path, Map.of("Accept", accept));
                String what = "GET " + path + " (Accept " + accept + ") -> " + a;
                assertTrue(a.status >= 400 && a.status < 500, what);
                assertSecurityHeaders(a, what);
                assertTrue(a.header("content-type").startsWith("application/json"), what);
                JsonObject error = Json.createReader(new StringReader(a.body)).readObject();
                assertFalse(error.getString("error", "").isBlank(), what);
                assertFalse(a.body.contains("SRVE") || a.body.contains("<"), "Liberty's words: " + what);
            }
        }
        // The two 403s say what happened, not that a role is missing.
        assertEquals(
                "forbidden: no file is served at this path",
                json(get("/index.html/", Map.of())).getString("error"));
        assertEquals(
                "forbidden: no file is served at this path",
                json(get("/dashboard/..%5c", Map.of())).getString("error"));
    }

    @Test
    void pathsRefusedBeforeAnyApplicationAre400WithTheSecurityHeadersAndJsonForJsonClients() throws IOException {
        for (String path : REFUSED_BEFORE_ANY_APPLICATION) {
            Answer html = get(path, Map.of("Accept", "text/html"));
            String what = "GET " + path + " -> " + html;
            assertEquals(400, html.status, what);
            assertSecurityHeaders(html, what);
            assertTrue(html.body.contains("CWWWC0005I"), "Liberty's own refusal: " + what);
            // What it quotes is escaped: no raw percent sign, CR, LF or markup of the caller's.
            assertFalse(html.body.contains("%") || html.body.contains("\r") || html.body.contains("<script"), what);

            // A JSON client gets JSON from Liberty (its own key, error_message).
            Answer jsonAnswer = get(path, Map.of("Accept", "application/json"));
            what = "GET " + path + " (Accept application/json) -> " + jsonAnswer;
            assertEquals(400, jsonAnswer.status, what);
            assertSecurityHeaders(jsonAnswer, what);
            assertTrue(jsonAnswer.header("content-type").startsWith("application/json"), what);
            assertTrue(json(jsonAnswer).getString("error_message").startsWith("CWWWC0005I"), what);
        }
    }

    @Test
    void aHeaderOverLibertysLimitIsRefusedByItsHttpChannelWithTheSecurityHeaders() throws IOException {
        // Liberty's HTTP channel (limitFieldSize, 32 KB) refuses it before the web container:
        // an empty 400, still with the headers server.xml sets on every response.
        Answer a = get("/", Map.of("X-Big", "a".repeat(40_000)));
        assertEquals(400, a.status, a.toString());
        assertSecurityHeaders(a, a.toString());
        assertEquals("", a.body.strip(), a.toString());
    }

    @Test
    void traceOfAStaticFileIsRefusedWithoutABodyAndTraceOfTheApiIsAJson405() throws IOException {
        // Liberty's security refuses the file serving's default TRACE (403), and then refuses the
        // forward to the error page for the same reason: an empty answer, nothing reflected.
        Answer file = request("TRACE", "/", Map.of("X-Reflect", "secret"));
        assertEquals(403, file.status, file.toString());
        assertSecurityHeaders(file, file.toString());
        assertFalse(file.body.contains("secret"), file.toString());
        Answer api = request("TRACE", "/api/tasks", Map.of("X-Reflect", "secret"));
        assertEquals(405, api.status, api.toString());
        assertTrue(api.header("content-type").startsWith("application/json"), api.toString());
        assertFalse(api.body.contains("secret"), api.toString());
    }

    // ------------------------------------------------------------------------------------ helpers

    private static void assertSecurityHeaders(Answer a, String what) {
        assertEquals("nosniff", a.header("x-content-type-options"), what);
        assertEquals("no-referrer", a.header("referrer-policy"), what);
    }

    private static JsonObject json(Answer a) {
        return Json.createReader(new StringReader(a.body)).readObject();
    }

    /** A status line, headers (names in lower case) and body. */
    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name, "");
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private Answer get(String path, Map<String, String> headers) throws IOException {
        return request("GET", path, headers);
    }

    /** Writes the request line with {@code path} exactly as given, and reads the whole answer. */
    private Answer request(String method, String path, Map<String, String> headers) throws IOException {
        URL base = Deployments.webRoot(injected);
        StringBuilder req = new StringBuilder()
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: localhost:")
                .append(base.getPort())
                .append("\r\nConnection: close\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        String raw;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout((int) ItSupport.TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        int end = raw.indexOf("\r\n\r\n");
        String head = end < 0 ? raw : raw.substring(0, end);
        String body = end < 0 ? "" : raw.substring(end + 4);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                h.putIfAbsent(
                        lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(status, h, body);
    }

    private static String unchunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(i, eol).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }
}

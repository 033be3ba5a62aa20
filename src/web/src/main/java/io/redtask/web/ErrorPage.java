package io.redtask.web;

import jakarta.json.Json;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The container's own error answers (a URI it refuses to map, a login it asks for, a file that
 * is not there, an exception nothing caught) as JSON {@code {"error"}} like every other error of
 * RedTask, instead of Liberty's HTML pages. web.xml sends every error here.
 */
@WebServlet(urlPatterns = "/error-page", asyncSupported = true)
public class ErrorPage extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND;
        String message = switch (status) {
            case 400 -> "bad request: the URI or a header is malformed";
            case 401 -> "authentication required (HTTP Basic, e.g. curl -u user:password)";
            case 403 -> forbidden(request);
            case 404 -> "no such resource; see the REST API in the README (/api/tasks, /api/queues, /api/servers)";
            case 405 -> "method not allowed";
            case 413 -> "the request is too large";
            case 414 -> "the URI is too long";
            case 415 -> "unsupported content type; send JSON";
            default ->
                status >= 500 ? "internal error; the server log has details" : "request refused (HTTP " + status + ")";
        };
        // Not echoed: the container's message may quote the request (reflected content).
        // Only a few of them are answered this way: an odd path the file serving or the security
        // collaborator refuses (403 SRVE0190E, "Invalid URI"), once web.xml names each status.
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter()
                .write(Json.createObjectBuilder().add("error", message).build().toString());
    }

    /** A 403 of the container: a path its file serving refuses to map, or a role the user lacks. */
    private static String forbidden(HttpServletRequest request) {
        Object said = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        String text = said == null ? "" : said.toString();
        if (text.contains("SRVE0190E") || text.contains("Invalid URI")) {
            return "forbidden: no file is served at this path";
        }
        return "forbidden: the user lacks the role this needs";
    }
}

package io.redtask.web.admin;

import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.redtask.cdi.RedTaskConfig;
import jakarta.inject.Inject;
import jakarta.inject.Provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Access to {@code /api/tasks...}, which web.xml cannot express with URL patterns:
 * <ul>
 *   <li>{@code POST /api/tasks/{id}/retry} is an admin operation: role {@code admin};</li>
 *   <li>everything else under {@code /api/tasks} is open, unless {@code redtask.rest.secure-tasks}
 *       is {@code true} (MP Config: server.xml variable, bootstrap.properties or the environment
 *       variable {@code REDTASK_REST_SECURE_TASKS}; read on every request): then role
 *       {@code submitter} or {@code admin}.</li>
 * </ul>
 * Without credentials the answer is 401 with a Basic challenge (Liberty's own, through
 * {@link HttpServletRequest#authenticate}); with a user lacking the role, 403 with a JSON error.
 */
@WebFilter(urlPatterns = {"/api/tasks", "/api/tasks/*"}, asyncSupported = true)
public class TaskAccessFilter extends HttpFilter {

    static final String ADMIN = "admin";
    static final String SUBMITTER = "submitter";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TaskAccessFilter.class.getName());
    private static final Pattern RETRY = Pattern.compile("/api/tasks/[^/]+/retry/?");

    @Inject
    transient Provider<RedTaskConfig.Web> web;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String[] roles;
        if (RETRY.matcher(path).matches()) {
            roles = new String[] {ADMIN};
        } else if (web.get().secureTasks()) {
            roles = new String[] {SUBMITTER, ADMIN};
        } else {
            chain.doFilter(request, response);
            return;
        }
        if (request.getUserPrincipal() == null && !authenticate(request, response)) {
            return;
        }
        for (String role : roles) {
            if (request.isUserInRole(role)) {
                chain.doFilter(request, response);
                return;
            }
        }
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(Json.createObjectBuilder()
                .add("error", "user '" + request.getUserPrincipal().getName() + "' lacks the role "
                        + String.join(" or ", roles) + " needed for " + request.getMethod() + " " + path)
                .build().toString());
    }

    /** Liberty checks the Basic credentials; false when it answered 401 itself. */
    private static boolean authenticate(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        try {
            if (request.authenticate(response) && request.getUserPrincipal() != null) {
                return true;
            }
        } catch (ServletException e) {
            // Wrong user or password: a 401 like the container's, without a stack trace.
            LOG.fine(() -> "RedTask REST: authentication failed: " + e.getMessage());
        }
        if (!response.isCommitted()) {
            response.reset();
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setHeader("WWW-Authenticate", "Basic realm=\"RedTask\"");
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"authentication required\"}");
        }
        return false;
    }
}

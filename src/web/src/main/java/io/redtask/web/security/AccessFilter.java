package io.redtask.web.security;

import io.redtask.cdi.RedTaskConfig;
import io.redtask.web.Problems;
import jakarta.annotation.Priority;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Who may call a REST operation, decided by the resource method JAX-RS matched, never by the
 * text of the URI: {@code POST /api/tasks/x/retry;a=b}, {@code /api/tasks/x/%72etry} or
 * {@code //api/tasks/x/retry} reach the same method as the plain path, and so meet the same rule.
 * <ul>
 *   <li>{@link RolesAllowed} on the method or its class: one of those roles ({@code admin} for
 *       queues, servers, schedules and the retry of a dead task);</li>
 *   <li>{@link TaskEndpoint}: open, or role {@code submitter} or {@code admin} when
 *       {@code redtask.rest.secure-tasks} is true;</li>
 *   <li>{@link PermitAll}: open; {@link DenyAll}: nobody;</li>
 *   <li>none of these: refused. A new resource is closed until it says who may call it.</li>
 * </ul>
 * Without credentials the answer is 401 with a Basic challenge; with a user lacking the role, 403.
 * Both have a JSON body.
 */
@jakarta.ws.rs.ext.Provider
@Priority(Priorities.AUTHORIZATION)
public class AccessFilter implements ContainerRequestFilter {

    public static final String ADMIN = "admin";
    public static final String SUBMITTER = "submitter";

    @Context
    ResourceInfo resource;

    @Inject
    Provider<RedTaskConfig.Web> web;

    @Override
    public void filter(ContainerRequestContext request) {
        List<String> roles = requiredRoles(resource.getResourceClass(), resource.getResourceMethod());
        if (roles == null) {
            return;
        }
        SecurityContext security = request.getSecurityContext();
        String what =
                request.getMethod() + " /" + request.getUriInfo().getPath().replaceFirst("^/", "");
        if (roles.isEmpty()) {
            request.abortWith(Problems.of(Response.Status.FORBIDDEN, what + " is not open to anyone"));
            return;
        }
        if (security == null || security.getUserPrincipal() == null) {
            RedTaskConfig.Web settings = web.get();
            if (settings.httpsLogins() && (security == null || !security.isSecure())) {
                // No challenge in clear text: a client would answer it with its password.
                request.abortWith(Problems.of(
                        Response.Status.FORBIDDEN,
                        what + " needs a login, which this server " + "takes only over HTTPS (port "
                                + settings.httpsPort() + ")"));
                return;
            }
            Response challenge = Problems.of(
                    Response.Status.UNAUTHORIZED,
                    "authentication required: " + what + " needs the role " + String.join(" or ", roles)
                            + " (HTTP Basic, e.g. curl -u user:password)");
            request.abortWith(Response.fromResponse(challenge)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"RedTask\"")
                    .build());
            return;
        }
        for (String role : roles) {
            if (security.isUserInRole(role)) {
                return;
            }
        }
        request.abortWith(Problems.of(
                Response.Status.FORBIDDEN,
                "user '" + security.getUserPrincipal().getName() + "' lacks the role " + String.join(" or ", roles)
                        + " needed for " + what));
    }

    /**
     * The roles one of which a caller needs: {@code null} when the operation is open, empty when
     * nobody may call it. The method's annotation wins over its class's.
     */
    List<String> requiredRoles(Class<?> type, Method method) {
        if (type == null || method == null) {
            return List.of();
        }
        List<String> rule = rule(method);
        if (rule == UNSET) {
            rule = rule(type);
        }
        return rule == UNSET ? List.of() : rule;
    }

    private static final List<String> UNSET = List.of("\u0000unset");

    private List<String> rule(AnnotatedElement e) {
        if (e.isAnnotationPresent(DenyAll.class)) {
            return List.of();
        }
        RolesAllowed allowed = e.getAnnotation(RolesAllowed.class);
        if (allowed != null) {
            return List.of(allowed.value());
        }
        if (e.isAnnotationPresent(TaskEndpoint.class)) {
            return web.get().secureTasks() ? List.of(SUBMITTER, ADMIN) : null;
        }
        if (e.isAnnotationPresent(PermitAll.class)) {
            return null;
        }
        return UNSET;
    }
}

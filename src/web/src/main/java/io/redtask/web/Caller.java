package io.redtask.web;

import io.redtask.InvalidRequestException;
import io.redtask.cdi.RedTaskConfig;
import io.redtask.web.security.AccessFilter;
import jakarta.ws.rs.core.SecurityContext;

import java.util.Objects;

/**
 * Who calls a task endpoint, as the rules for tasks and batches need it: who owns what they submit
 * when tasks are secured, who may see it, and who may use a high priority.
 */
final class Caller {

    private final SecurityContext security;
    private final RedTaskConfig.Web web;

    Caller(SecurityContext security, RedTaskConfig.Web web) {
        this.security = security;
        this.web = web;
    }

    /** The caller's name when tasks are secured (it then owns what it submits), else {@code null}. */
    String owner() {
        return web.secureTasks() && security != null && security.getUserPrincipal() != null
                ? security.getUserPrincipal().getName()
                : null;
    }

    boolean isAdmin() {
        return security != null && security.getUserPrincipal() != null && security.isUserInRole(AccessFilter.ADMIN);
    }

    /** Whether the caller may see what {@code submittedBy} submitted: anything with tasks open or for admins; with secure-tasks, its own. */
    boolean sees(String submittedBy) {
        return !web.secureTasks() || isAdmin() || Objects.equals(submittedBy, owner());
    }

    /**
     * Refuses a priority above {@code redtask.rest.max-priority} unless the caller is an admin:
     * priorities order everyone's tasks, so an open or submitter caller must not jump the queue.
     */
    void checkPriority(String field, int priority) {
        int max = web.maxPriority();
        if (priority > max && !isAdmin()) {
            throw new InvalidRequestException(
                    field, "above " + max + " needs the admin role (redtask.rest.max-priority), was " + priority);
        }
    }
}

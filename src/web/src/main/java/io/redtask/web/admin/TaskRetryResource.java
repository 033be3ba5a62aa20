package io.redtask.web.admin;

import io.redtask.InvalidRequestException;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.web.Problems;
import io.redtask.web.TaskJson;
import io.redtask.web.security.AccessFilter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/tasks/{id}/retry}: sends one dead task back to its queue with fresh attempts.
 * 200 with the task (as {@code GET /api/tasks/{id}}), 404 when there is no such task, 409 when it
 * is not dead. Needs the {@code admin} role ({@link AccessFilter}, by this resource, whatever the URI looks like).
 */
@Path("tasks/{id}/retry")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessFilter.ADMIN)
public class TaskRetryResource {

    @Inject
    RedTaskAdmin admin;

    @Inject
    TaskScheduler scheduler;

    @POST
    public Response retry(@PathParam("id") String id) {
        boolean retried;
        try {
            retried = admin.retryDeadTask(id);
        } catch (InvalidRequestException e) {
            // Not even shaped like a task id: there is no such task.
            return Problems.of(Response.Status.NOT_FOUND, "no task with id '" + id + "'");
        }
        if (retried) {
            return scheduler
                    .status(id)
                    .map(s -> Response.ok(TaskJson.of(s).toString()).build())
                    // Retried and already gone (succeeded and expired within the call): say so plainly.
                    .orElseGet(() -> Response.ok(Json.createObjectBuilder()
                                    .add("id", id)
                                    .add("state", TaskState.QUEUED.wireName())
                                    .build()
                                    .toString())
                            .build());
        }
        return scheduler
                .status(id)
                .map(s -> Problems.of(
                        Response.Status.CONFLICT,
                        "task '" + id + "' is not dead: " + s.state().wireName()))
                .orElseGet(() -> Problems.of(Response.Status.NOT_FOUND, "no task with id '" + id + "'"));
    }
}

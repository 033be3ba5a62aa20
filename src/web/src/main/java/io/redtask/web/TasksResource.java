package io.redtask.web;

import io.redtask.SubmitReceipt;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.cdi.RedTaskConfig;
import io.redtask.engine.SubmitLimits;
import io.redtask.web.security.TaskEndpoint;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code POST /api/tasks} submits a task; {@code GET /api/tasks/{id}} reads it;
 * {@code DELETE /api/tasks/{id}} cancels it.
 */
@Path("tasks")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@TaskEndpoint
public class TasksResource {

    @Inject
    TaskScheduler scheduler;

    @Context
    UriInfo uri;

    @Context
    SecurityContext security;

    @Inject
    Provider<RedTaskConfig.Web> web;

    /** The engine's bounds: the payload's nesting is checked on the text, before it is parsed. */
    @Inject
    SubmitLimits.Limits limits;

    /** Accepts any content type: the body must be JSON whatever the client calls it. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(String body, @HeaderParam("traceparent") String traceparent) {
        // With secure-tasks on, a task belongs to whoever submitted it: only they (and admins) see it.
        Caller caller = caller();
        TaskRequest request = TaskRequest.parse(body, limits.jsonDepth(), caller.owner(), traceparent);
        caller.checkPriority("priority", request.options().priority());
        SubmitReceipt receipt = scheduler.submitForReceipt(request.type(), request.payload(), request.options());
        var json = Json.createObjectBuilder().add("id", receipt.id());
        if (receipt.state() == null) {
            json.addNull("state");
        } else {
            json.add("state", receipt.state().wireName());
        }
        if (receipt.duplicate()) {
            // The idempotency key was used already: nothing new was created, the first task is shown.
            return Response.ok(json.add("duplicate", true).build().toString())
                    .location(uri.getAbsolutePathBuilder().path(receipt.id()).build())
                    .build();
        }
        return Response.created(uri.getAbsolutePathBuilder().path(receipt.id()).build())
                .entity(json.build().toString())
                .build();
    }

    /** A task this caller may see: any with tasks open or for admins; with secure-tasks, its own. */
    private boolean visible(TaskStatus s) {
        return caller().sees(s.submittedBy());
    }

    private Caller caller() {
        return new Caller(security, web.get());
    }

    /** Cancels a task: 200 when cancelled, 409 when it had already finished, 404 when there is none. */
    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        java.util.Optional<TaskStatus> found = scheduler.status(id);
        if (found.isPresent() && !visible(found.get())) {
            // Another user's task is as good as absent: its existence is not told either.
            return Problems.of(Response.Status.NOT_FOUND, "no task with id '" + id + "'");
        }
        if (scheduler.cancel(id)) {
            return Response.ok(Json.createObjectBuilder()
                            .add("id", id)
                            .add("state", TaskState.CANCELLED.wireName())
                            .build()
                            .toString())
                    .build();
        }
        return scheduler
                .status(id)
                .map(s -> Problems.of(
                        Response.Status.CONFLICT,
                        "task '" + id + "' has already finished: " + s.state().wireName()))
                .orElseGet(() -> Problems.of(Response.Status.NOT_FOUND, "no task with id '" + id + "'"));
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return scheduler
                .status(id)
                .filter(this::visible)
                .map(s -> Response.ok(TaskJson.of(s).toString()).build())
                .orElseGet(() -> Problems.of(Response.Status.NOT_FOUND, "no task with id '" + id + "'"));
    }
}

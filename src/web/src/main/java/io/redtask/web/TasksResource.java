package io.redtask.web;

import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code POST /api/tasks} submits a task; {@code GET /api/tasks/{id}} reads it.
 */
@Path("tasks")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TasksResource {

    @Inject
    TaskScheduler scheduler;

    @Context
    UriInfo uri;

    /** Accepts any content type: the body must be JSON whatever the client calls it. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(String body) {
        TaskRequest request = TaskRequest.parse(body);
        String id = scheduler.submit(request.type(), request.payload(), request.options());
        return Response.created(uri.getAbsolutePathBuilder().path(id).build())
                .entity(Json.createObjectBuilder().add("id", id).add("state", TaskState.QUEUED.wireName()).build().toString())
                .build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return scheduler.status(id)
                .map(s -> Response.ok(TaskJson.of(s).toString()).build())
                .orElseGet(() -> Problems.of(Response.Status.NOT_FOUND, "no task with id '" + id + "'"));
    }
}

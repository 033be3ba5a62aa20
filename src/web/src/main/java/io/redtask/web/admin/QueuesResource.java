package io.redtask.web.admin;

import io.redtask.InvalidRequestException;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskState;
import io.redtask.web.TaskJson;
import io.redtask.web.security.AccessFilter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Queues, for the whole cluster (their state is in Redis). Needs the {@code admin} role ({@link AccessFilter}).
 *
 * <pre>
 * GET  /api/queues                      [queue...]
 * GET  /api/queues/{name}               queue
 * POST /api/queues/{name}/pause         queue (after the change)
 * POST /api/queues/{name}/resume        queue
 * PUT  /api/queues/{name}/concurrency   {"limit": n | null} -> queue
 * PUT  /api/queues/{name}/rate          {"limit": n, "per": "PT1S"} | {"limit": null} -> queue
 * PUT  /api/queues/{name}/group-concurrency   {"limit": n | null} -> queue
 * GET  /api/queues/{name}/dead?offset=0&amp;limit=50   [task...] (as GET /api/tasks/{id})
 * GET  /api/queues/{name}/tasks?state=queued|scheduled|running|dead&amp;offset=0&amp;limit=50   [task...]
 * POST /api/queues/{name}/dead/retry    {"queue", "retried": n}
 * POST /api/queues/{name}/dead/purge    {"queue", "purged": n}
 * </pre>
 */
@Path("queues")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessFilter.ADMIN)
public class QueuesResource {

    /** The most dead tasks one page may list. */
    static final int MAX_PAGE = 1_000;

    @Inject
    RedTaskAdmin admin;

    @GET
    public String list() {
        JsonArrayBuilder out = Json.createArrayBuilder();
        admin.queues().forEach(q -> out.add(AdminJson.queue(q)));
        return out.build().toString();
    }

    @GET
    @Path("{name}")
    public String get(@PathParam("name") String name) {
        return AdminJson.queue(admin.queue(name)).toString();
    }

    @POST
    @Path("{name}/pause")
    public String pause(@PathParam("name") String name) {
        admin.pause(name);
        return get(name);
    }

    @POST
    @Path("{name}/resume")
    public String resume(@PathParam("name") String name) {
        admin.resume(name);
        return get(name);
    }

    @PUT
    @Path("{name}/concurrency")
    @Consumes(MediaType.WILDCARD)
    public String concurrency(@PathParam("name") String name, String body) {
        Integer limit = AdminJson.intField(body, "limit", true, 0, Integer.MAX_VALUE);
        admin.setQueueConcurrency(name, limit);
        return get(name);
    }

    @PUT
    @Path("{name}/rate")
    @Consumes(MediaType.WILDCARD)
    public String rate(@PathParam("name") String name, String body) {
        admin.setQueueRate(name, AdminJson.rateField(body));
        return get(name);
    }

    @PUT
    @Path("{name}/group-concurrency")
    @Consumes(MediaType.WILDCARD)
    public String groupConcurrency(@PathParam("name") String name, String body) {
        Integer limit = AdminJson.intField(body, "limit", true, 1, Integer.MAX_VALUE);
        admin.setGroupConcurrency(name, limit);
        return get(name);
    }

    @GET
    @Path("{name}/dead")
    public String dead(
            @PathParam("name") String name, @QueryParam("offset") String offset, @QueryParam("limit") String limit) {
        int from = number("offset", offset, 0, 0, Integer.MAX_VALUE);
        int count = number("limit", limit, 50, 1, MAX_PAGE);
        JsonArrayBuilder out = Json.createArrayBuilder();
        admin.deadTasks(name, from, count).forEach(t -> out.add(TaskJson.of(t)));
        return out.build().toString();
    }

    @GET
    @Path("{name}/tasks")
    public String tasks(
            @PathParam("name") String name,
            @QueryParam("state") String state,
            @QueryParam("offset") String offset,
            @QueryParam("limit") String limit) {
        TaskState which = state(state);
        int from = number("offset", offset, 0, 0, Integer.MAX_VALUE);
        int count = number("limit", limit, 50, 1, MAX_PAGE);
        JsonArrayBuilder out = Json.createArrayBuilder();
        admin.tasks(name, which, from, count).forEach(t -> out.add(TaskJson.of(t)));
        return out.build().toString();
    }

    private static TaskState state(String text) {
        String wanted = text == null || text.isBlank() ? "queued" : text.strip();
        for (TaskState s : new TaskState[] {TaskState.QUEUED, TaskState.SCHEDULED, TaskState.RUNNING, TaskState.DEAD}) {
            if (s.wireName().equals(wanted)) {
                return s;
            }
        }
        throw new InvalidRequestException("state", "must be queued, scheduled, running or dead, was '" + wanted + "'");
    }

    @POST
    @Path("{name}/dead/retry")
    public String retryDead(@PathParam("name") String name) {
        int n = admin.retryDead(name);
        return Json.createObjectBuilder()
                .add("queue", name)
                .add("retried", n)
                .build()
                .toString();
    }

    @POST
    @Path("{name}/dead/purge")
    public String purgeDead(@PathParam("name") String name) {
        int n = admin.purgeDead(name);
        return Json.createObjectBuilder()
                .add("queue", name)
                .add("purged", n)
                .build()
                .toString();
    }

    private static int number(String field, String text, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, "must be a whole number, was '" + text + "'");
        }
        if (n < min || n > max) {
            throw new InvalidRequestException(field, "must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }
}

package io.redtask.web;

import io.redtask.BatchReceipt;
import io.redtask.BatchStatus;
import io.redtask.InvalidRequestException;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskScheduler;
import io.redtask.cdi.RedTaskConfig;
import io.redtask.engine.SubmitLimits;
import io.redtask.web.security.AccessFilter;
import io.redtask.web.security.TaskEndpoint;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/**
 * Batches of tasks with a completion callback.
 *
 * <pre>
 * POST /api/batches        {"tasks":[task...], "onComplete": task?} -> 201 {"id","tasks":[ids],"onComplete"}
 * GET  /api/batches/{id}   {"id","queue","total","pending","succeeded","dead","cancelled","state","onComplete",...}
 * GET  /api/batches?queue=q&amp;limit=50   (admin) {"running":[batch...],"done":[batch...]}
 * </pre>
 *
 * A task in a batch is written as {@code POST /api/tasks} takes it, under the same rules (roles,
 * limits, priorities); the whole body is bound by the same size limit (1 MB by default).
 */
@Path("batches")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@TaskEndpoint
public class BatchesResource {

    @Inject
    TaskScheduler scheduler;

    @Inject
    RedTaskAdmin admin;

    @Context
    UriInfo uri;

    @Context
    SecurityContext security;

    @Inject
    Provider<RedTaskConfig.Web> web;

    @Inject
    SubmitLimits.Limits limits;

    /** Accepts any content type: the body must be JSON whatever the client calls it. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(String body) {
        Caller caller = caller();
        BatchRequest request = BatchRequest.parse(body, limits.jsonDepth(), caller.owner());
        for (int i = 0; i < request.tasks().size(); i++) {
            caller.checkPriority(
                    "tasks[" + i + "].priority",
                    request.tasks().get(i).options().priority());
        }
        if (request.onComplete() != null) {
            caller.checkPriority(
                    "onComplete.priority", request.onComplete().options().priority());
        }
        BatchReceipt receipt = scheduler.submitBatchForReceipt(request.submissions(), request.callback());
        JsonArrayBuilder ids = Json.createArrayBuilder();
        receipt.tasks().forEach(ids::add);
        var json = Json.createObjectBuilder().add("id", receipt.id()).add("tasks", ids);
        if (receipt.onComplete() == null) {
            json.addNull("onComplete");
        } else {
            json.add("onComplete", receipt.onComplete());
        }
        return Response.created(uri.getAbsolutePathBuilder().path(receipt.id()).build())
                .entity(json.build().toString())
                .build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return scheduler
                .batch(id)
                .filter(this::visible)
                .map(s -> Response.ok(BatchJson.of(s).toString()).build())
                .orElseGet(() -> Problems.of(Response.Status.NOT_FOUND, "no batch with id '" + id + "'"));
    }

    /** The batches of a queue, for operators and the dashboard. */
    @GET
    @RolesAllowed(AccessFilter.ADMIN)
    public String list(@QueryParam("queue") String queue, @DefaultValue("50") @QueryParam("limit") int limit) {
        if (queue == null || queue.isBlank()) {
            throw new InvalidRequestException("queue", "is required: ?queue=<name>");
        }
        JsonArrayBuilder running = Json.createArrayBuilder();
        JsonArrayBuilder done = Json.createArrayBuilder();
        for (BatchStatus b : admin.batches(queue, limit)) {
            (b.done() ? done : running).add(BatchJson.of(b));
        }
        return Json.createObjectBuilder()
                .add("queue", queue)
                .add("running", running)
                .add("done", done)
                .build()
                .toString();
    }

    /** A batch this caller may see: any with tasks open or for admins; with secure-tasks, its own. */
    private boolean visible(BatchStatus s) {
        return caller().sees(s.submittedBy());
    }

    private Caller caller() {
        return new Caller(security, web.get());
    }
}

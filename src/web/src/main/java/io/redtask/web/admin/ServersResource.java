package io.redtask.web.admin;

import io.redtask.RedTaskAdmin;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Servers running RedTask workers. Needs the {@code admin} role ({@link AccessFilter}).
 *
 * <pre>
 * GET  /api/servers                          [node...] (recent heartbeats)
 * GET  /api/servers/local                    this server
 * POST /api/servers/local/pause | resume     this server's workers; -> this server
 * PUT  /api/servers/{nodeId}/concurrency     {"concurrency": n}
 *        this server ("local" or its id): applied at once, 200 with this server
 *        another server: applied at its next heartbeat, 202 {"nodeId", "concurrency", "applied": false}
 * </pre>
 */
@Path("servers")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessFilter.ADMIN)
public class ServersResource {

    @Inject
    RedTaskAdmin admin;

    @GET
    public String list() {
        JsonArrayBuilder out = Json.createArrayBuilder();
        admin.nodes().forEach(n -> out.add(AdminJson.node(n)));
        return out.build().toString();
    }

    @GET
    @Path("local")
    public String local() {
        return AdminJson.local(admin).toString();
    }

    @POST
    @Path("local/pause")
    public String pause() {
        admin.pauseWorkers();
        return local();
    }

    @POST
    @Path("local/resume")
    public String resume() {
        admin.resumeWorkers();
        return local();
    }

    @PUT
    @Path("{nodeId}/concurrency")
    @Consumes(MediaType.WILDCARD)
    public Response concurrency(@PathParam("nodeId") String nodeId, String body) {
        int n = AdminJson.intField(body, "concurrency", false, 0, Integer.MAX_VALUE);
        // The engine checks the server and the range, naming the field that is wrong.
        admin.setConcurrency(nodeId, n);
        if ("local".equals(nodeId) || admin.nodeId().equals(nodeId)) {
            return Response.ok(local()).build();
        }
        // Another server applies it at its next heartbeat.
        return Response.accepted(Json.createObjectBuilder()
                        .add("nodeId", nodeId)
                        .add("concurrency", n)
                        .add("applied", false)
                        .build()
                        .toString())
                .build();
    }
}

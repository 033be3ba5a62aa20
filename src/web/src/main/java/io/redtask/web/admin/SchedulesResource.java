package io.redtask.web.admin;

import io.redtask.ScheduleInfo;
import io.redtask.TaskScheduler;
import io.redtask.web.Problems;
import io.redtask.web.TaskJson;
import io.redtask.web.security.AccessFilter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The recurring schedules, for operators (role {@code admin}). Schedules live in Redis, beyond
 * the application that declared them: one whose {@code @Recurring} was removed from the code goes
 * on firing until it is deleted here (or with {@code TaskScheduler.unschedule}).
 * <pre>
 * GET    /api/schedules          [{"name","cron","zone","type","queue","payload","misfire","nextFireAt"}]
 * DELETE /api/schedules/{name}   {"name","deleted":true}, 404 when there is none
 * </pre>
 */
@Path("schedules")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccessFilter.ADMIN)
public class SchedulesResource {

    @Inject
    TaskScheduler scheduler;

    @GET
    public String list() {
        JsonArrayBuilder out = Json.createArrayBuilder();
        scheduler.schedules().forEach(s -> out.add(json(s)));
        return out.build().toString();
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name) {
        if (!scheduler.unschedule(name)) {
            return Problems.of(Response.Status.NOT_FOUND, "no schedule '" + name + "'");
        }
        return Response.ok(Json.createObjectBuilder()
                        .add("name", name)
                        .add("deleted", true)
                        .build()
                        .toString())
                .build();
    }

    static JsonObject json(ScheduleInfo s) {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("name", s.name())
                .add("cron", s.cron())
                .add("zone", s.zone())
                .add("type", s.type())
                .add("queue", s.queue())
                .add("payload", TaskJson.parse(s.payloadJson()))
                .add("misfire", s.misfire().name());
        if (s.nextFireAt() == null) {
            b.addNull("nextFireAt");
        } else {
            b.add("nextFireAt", TaskJson.format(s.nextFireAt()));
        }
        return b.build();
    }
}

package io.redtask.it.harness;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Answers with what the server configuration gives an application: the two RedTask executors. */
@Path("ping")
public class PingResource {

    @Resource(lookup = "concurrent/redtaskWorkers")
    ManagedExecutorService workers;

    @Resource(lookup = "concurrent/redtaskScheduler")
    ManagedScheduledExecutorService scheduler;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String ping() throws Exception {
        String onWorker = workers.submit(() -> "worker").get();
        return "pong " + onWorker + " " + (scheduler != null ? "scheduler" : "no-scheduler");
    }
}

package io.redtask.it;

import io.redtask.SubmitOptions;
import io.redtask.TaskScheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;

/**
 * In ServersIT's submit-only application (redtask.workers.enabled=false): submits one task when
 * the application starts, to a queue another application's workers serve.
 */
@ApplicationScoped
public class SubmitAtStartup {

    static final String QUEUE = "it-from-submit-only";

    @Inject
    TaskScheduler scheduler;

    void onStart(@Observes Startup event) {
        scheduler.submit(
                OtherServerWork.TYPE,
                null,
                SubmitOptions.builder()
                        .queue(QUEUE)
                        .idempotencyKey("it-submit-only-at-startup")
                        .build());
    }
}

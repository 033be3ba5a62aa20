package io.redtask.it;

import io.redtask.TaskScheduler;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

import java.util.Map;

/** Submits the way the README tells users to: an enterprise bean with the scheduler injected. */
@Stateless
public class SubmitterBean {

    @Inject
    TaskScheduler scheduler;

    public String submitProbe() {
        return scheduler.submit(ContextProbeHandler.TYPE, Map.of("from", "ejb"));
    }
}

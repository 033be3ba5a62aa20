package io.redtask.it;

import java.util.Map;

import io.redtask.TaskScheduler;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

/** Submits the way the README tells users to: an enterprise bean with the scheduler injected. */
@Stateless
public class SubmitterBean {

    @Inject
    TaskScheduler scheduler;

    public String submitProbe() {
        return scheduler.submit(ContextProbeHandler.TYPE, Map.of("from", "ejb"));
    }
}

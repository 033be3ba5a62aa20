package io.redtask.it;

import io.redtask.NonRetryableException;
import io.redtask.TaskScheduler;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

/** Enterprise bean methods that let RedTask's exceptions leave them, for {@link ApplicationSideIT}. */
@Stateless
public class EjbProbe {

    @Inject
    TaskScheduler scheduler;

    /** Submits a type no handler has: RedTask throws UnknownTaskTypeException. */
    public String submitUnknownType() {
        return scheduler.submit("no-such-type", null);
    }

    /** Throws what a handler throws when retrying cannot help. */
    public void reject(String why) {
        throw new NonRetryableException(why);
    }
}

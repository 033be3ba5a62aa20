package io.redtask.engine;

import io.redtask.store.ClaimedTask;
import io.redtask.store.TaskStore;

import java.util.logging.Logger;

/** Gives a claimed task back to its queue, unrun, where failing to is not worth more than a warning. */
final class Handback {

    private static final Logger LOG = Logger.getLogger(Handback.class.getName());

    private Handback() {}

    /**
     * Releases {@code task} (nothing for {@code null}). @return whether it went back; when Redis
     * cannot be reached its lease expires and another server takes it, which is said in the log.
     */
    static boolean quietly(TaskStore tasks, ClaimedTask task) {
        if (task == null) {
            return false;
        }
        try {
            return tasks.release(task);
        } catch (RuntimeException e) {
            LOG.warning("RedTask: could not hand task " + task.id() + " back (" + e.getMessage()
                    + "); its lease will expire and another server will take it");
            return false;
        }
    }
}

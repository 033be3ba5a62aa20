package io.redtask.engine;

import io.redtask.store.ClaimedTask;
import io.redtask.store.TaskStore;

import java.util.List;

/**
 * Starts tasks this server claimed on its workers, one slot each: the tasks a fetcher claimed,
 * and those a submit claimed in its own round trip ({@link SubmitClaims}).
 */
final class AttemptStarter {

    private final TaskStore tasks;
    private final Workers workers;
    private final Processor processor;
    private final Lifecycle lifecycle;
    private final EngineSettings settings;

    AttemptStarter(
            TaskStore tasks, Workers workers, Processor processor, Lifecycle lifecycle, EngineSettings settings) {
        this.tasks = tasks;
        this.workers = workers;
        this.processor = processor;
        this.lifecycle = lifecycle;
        this.settings = settings;
    }

    /**
     * Starts the claimed tasks on the {@code taken} slots, one each, and gives back the slots left
     * over. A task the executor refuses goes back to the queue unrun; so does every task after an
     * unexpected failure, so that none waits for its lease to expire.
     *
     * @param leaseDeadline when the claim's lease ends, by this server's clock
     * @param fromSubmit    a submitter's thread claimed them: a worker finishing an attempt may run
     *                      them next ({@link Workers#startOrRelay}), and a refusal is not waited
     *                      out; else a fetcher's thread, which pauses after a refusal
     */
    void startAll(List<ClaimedTask> claimed, int taken, long leaseDeadline, boolean fromSubmit) {
        int consumed = 0; // slots now held by attempts, or given back by start
        int settled = 0; // tasks started, or handed back to the store
        try {
            for (ClaimedTask task : claimed) {
                consumed++;
                boolean started = fromSubmit
                        ? workers.startOrRelay(task, leaseDeadline, processor::process, t -> Handback.quietly(tasks, t))
                        : workers.start(task, leaseDeadline, processor::process);
                if (!started) {
                    tasks.release(task);
                    if (!fromSubmit) {
                        lifecycle.await(Math.max(1, settings.watchInterval().toMillis()));
                    }
                }
                settled++;
            }
        } finally {
            for (int j = settled; j < claimed.size(); j++) {
                Handback.quietly(tasks, claimed.get(j));
            }
            workers.giveBack(taken - consumed);
        }
    }
}

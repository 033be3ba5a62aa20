package io.redtask.engine;

import io.redtask.store.ClaimedTask;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskStore.NextClaim;

import java.util.List;

/**
 * Lets a submit claim work for this server's idle workers in the submit's own round trip: a server
 * that serves the queue and has free worker slots asks Redis to store the new tasks and hand it the
 * queue's next ready tasks (in queue order, under the queue's pause and limits, as any claim) in one
 * script. Without it each task would cost a wake-up token, a fetcher woken from its blocking wait
 * and a claim: two more round trips and two thread hand-offs before the handler starts.
 */
final class SubmitClaims {

    private final Workers workers;
    private final AttemptStarter starter;
    private final HandlerCatalog handlers;
    private final Lifecycle lifecycle;
    private final EngineSettings settings;

    SubmitClaims(
            Workers workers,
            AttemptStarter starter,
            HandlerCatalog handlers,
            Lifecycle lifecycle,
            EngineSettings settings) {
        this.workers = workers;
        this.starter = starter;
        this.handlers = handlers;
        this.lifecycle = lifecycle;
        this.settings = settings;
    }

    /**
     * Takes up to {@code wanted} free worker slots, without waiting, for a submit to {@code queue}
     * (a queue, or one of its shards: this server's fetchers take from all of them) to claim with: none when this server does not serve the queue, is stopping or paused, or
     * claims on submit are off.
     */
    int reserve(String queue, int wanted) {
        if (!settings.claimOnSubmit()
                // With durability waits, a submit can fail after Redis ran its script (too few
                // copies confirmed): tasks claimed by it would then sit unrun until their lease ends.
                || settings.durability().mode() != Durability.Mode.ASYNC
                || wanted <= 0
                || !lifecycle.isRunning()
                || workers.paused()
                || !settings.queues().contains(ShardNames.queueOf(queue))) {
            return 0;
        }
        try {
            return workers.take(wanted, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Who claims, for how long and which types: this server, as its fetchers would. */
    NextClaim claim() {
        return new NextClaim(settings.nodeId(), settings.lease().toMillis(), handlers.types());
    }

    /** Starts what the submit claimed on the {@code reserved} slots and gives back the rest. */
    void start(List<ClaimedTask> claimed, int reserved, long now) {
        starter.startAll(claimed, reserved, now + settings.lease().toMillis(), true);
    }

    /** Gives back slots a submit reserved but did not use (it failed before claiming). */
    void giveBack(int reserved) {
        workers.giveBack(reserved);
    }
}

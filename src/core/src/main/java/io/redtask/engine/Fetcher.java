package io.redtask.engine;

import io.redtask.StoreUnavailableException;
import io.redtask.store.NodeRegistry;
import io.redtask.store.ShardNames;
import io.redtask.store.TaskStore;
import io.redtask.store.TaskStore.ClaimBatch;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Claims tasks of one queue (one shard of a sharded queue: each shard has a fetcher, and all draw
 * on the same worker slots) for this server, as many as it has free worker slots, and starts
 * them on the workers. When the queue is empty it blocks on the queue's wake list, but never for
 * longer than the poll interval, so that it sees the stop flag (Liberty does not interrupt a
 * thread blocked in Redis) and a scheduled task that has come due.
 */
final class Fetcher implements Runnable {

    private static final Logger LOG = Logger.getLogger(Fetcher.class.getName());

    private final String queue;
    /** The queue users know (the queue of this shard), for logs and figures. */
    private final String label;

    private final TaskStore tasks;
    private final Workers workers;
    private final AttemptStarter starter;
    private final HandlerCatalog handlers;
    private final Lifecycle lifecycle;
    private final FetcherMonitor monitor;
    private final Clock clock;
    private final EngineSettings settings;
    private final NodeRegistry nodes;
    /** Whether another live server serves this queue, as last read, and when (System.nanoTime; -1: never). */
    private boolean othersServe = true;

    private long othersCheckedAt = -1;

    /**
     * Ids for fetchers' claims: unique enough from a random start, as a claim's repeat also
     * matches its server, its exact lease deadline and each task's fencing token; short, as
     * each task a fetcher claims stores it.
     */
    private static final AtomicInteger CLAIM_IDS =
            new AtomicInteger(ThreadLocalRandom.current().nextInt());

    /**
     * A claim whose reply did not come (Redis restarting, a connection cut), with the worker slots
     * held for it: repeated, under its id, before anything else, so that the tasks it may have
     * taken run at once instead of after their leases ran out. {@code null} when there is none.
     */
    private LostClaim lostClaim;

    /** A claim to repeat: its id, when the leases of its tries end, and the slots held for it. */
    private record LostClaim(String id, long leaseUntil, int slots) {}

    Fetcher(
            String queue,
            TaskStore tasks,
            Workers workers,
            AttemptStarter starter,
            HandlerCatalog handlers,
            Lifecycle lifecycle,
            FetcherMonitor monitor,
            Clock clock,
            EngineSettings settings,
            NodeRegistry nodes) {
        this.nodes = nodes;
        this.queue = queue;
        this.label = ShardNames.queueOf(queue);
        this.tasks = tasks;
        this.workers = workers;
        this.starter = starter;
        this.handlers = handlers;
        this.lifecycle = lifecycle;
        this.monitor = monitor;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public void run() {
        try {
            loop();
        } finally {
            if (lostClaim != null) {
                // Stopping: the tasks a lost claim took, if any, go back when their leases end.
                workers.giveBack(lostClaim.slots());
                lostClaim = null;
            }
            monitor.left();
        }
    }

    private void loop() {
        long poll = settings.pollInterval().toMillis();
        long maxBackoff = settings.outageBackoff().toMillis();
        long firstBackoff = Math.max(1, maxBackoff / 50);
        long outageBackoff = firstBackoff;
        boolean outageLogged = false;
        while (lifecycle.isRunning()) {
            monitor.alive(queue);
            int slots = 0;
            long backoff = 0;
            try {
                if (workers.paused()) {
                    lifecycle.await(poll);
                    continue;
                }
                long now = clock.millis();
                long lease = settings.lease().toMillis();
                LostClaim repeat = lostClaim;
                lostClaim = null;
                if (repeat != null
                        && repeat.leaseUntil() - now
                                < 2 * settings.heartbeatInterval().toMillis()) {
                    // Too late: a task started now could be stopped by this server's own fence
                    // (half a heartbeat before its lease ends) before its first renewal (up to a
                    // heartbeat away), and run again elsewhere. What it took goes back with its
                    // lease.
                    workers.giveBack(repeat.slots());
                    repeat = null;
                }
                if (repeat != null) {
                    slots = repeat.slots();
                } else {
                    slots = workers.take(settings.claimBatch(), poll);
                    if (slots == 0 || !lifecycle.isRunning()) {
                        continue;
                    }
                    now = clock.millis();
                }
                String claimId = repeat != null
                        ? repeat.id()
                        : Integer.toString(CLAIM_IDS.getAndIncrement() & Integer.MAX_VALUE, 36);
                // Every try of a claim leases until its first try's time + lease.
                long leaseUntil = repeat != null ? repeat.leaseUntil() : now + lease;
                ClaimBatch batch;
                try {
                    // Only the types this server has handlers for: during a rolling deploy that adds
                    // a type, servers without it leave its tasks to those that have it.
                    batch = tasks.claim(
                            queue,
                            slots,
                            now,
                            lease,
                            settings.nodeId(),
                            handlers.types(),
                            claimId,
                            leaseUntil,
                            repeat != null);
                } catch (StoreUnavailableException e) {
                    // The claim may have run with its reply lost: keep the slots for its repeat.
                    lostClaim = new LostClaim(claimId, leaseUntil, slots);
                    slots = 0;
                    throw e;
                }
                int taken = slots;
                slots = 0;
                starter.startAll(batch.tasks(), taken, leaseUntil, false);
                if (outageLogged) {
                    LOG.info(() -> "RedTask: Redis answers again; fetching from queue '" + label + "' resumed");
                    outageLogged = false;
                }
                outageBackoff = firstBackoff;
                if (batch.tasks().size() < taken && batch.throttledUntil() >= 0) {
                    // The rate limit is used up: sleep here until the next start is allowed (wake
                    // tokens from new tasks would only wake us to claim nothing); a raised limit
                    // is seen within the poll interval.
                    monitor.throttled(label);
                    lifecycle.await(Math.max(1, Math.min(poll, batch.throttledUntil() - now)));
                } else if (batch.tasks().size() < taken) {
                    // Fewer than asked for: the queue has nothing more for us now (claim.lua then
                    // drops the wake tokens of what it handed out), so wait for the next wake-up
                    // rather than claim again only to find nothing. A task enqueued meanwhile left
                    // a fresh token.
                    long wait = poll;
                    if (batch.nextDueAt() >= 0) {
                        wait = Math.max(1, Math.min(wait, batch.nextDueAt() - now));
                    }
                    if (tasks.awaitWork(queue, wait)) {
                        passWakeIfBusy();
                    }
                }
            } catch (StoreUnavailableException e) {
                if (!lifecycle.isRunning()) {
                    return; // stopping: the store may be closing under us
                }
                if (!outageLogged) {
                    LOG.warning("RedTask: cannot fetch from queue " + ShardNames.describe(queue) + ": " + e.getMessage()
                            + "; retrying until Redis answers");
                    outageLogged = true;
                }
                backoff = outageBackoff;
                outageBackoff = Math.min(outageBackoff * 2, maxBackoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(
                        Level.SEVERE,
                        "RedTask: fetching from queue " + ShardNames.describe(queue) + " failed; retrying",
                        e);
                backoff = maxBackoff / 5;
            } finally {
                workers.giveBack(slots);
            }
            // Back off with the slots given back (but those a lost claim keeps for its repeat: they
            // run nothing, and Busy counts running tasks only).
            if (backoff > 0) {
                lifecycle.await(backoff);
            }
        }
    }

    /**
     * A wake-up token just taken while every worker here got busy (a submit here claimed for them),
     * or while this server is paused or stopping, is meant for a server that can take the task:
     * pass it on rather than sit on it.
     */
    private void passWakeIfBusy() throws InterruptedException {
        int free = workers.paused() || !lifecycle.isRunning() ? 0 : workers.take(settings.claimBatch(), 0);
        workers.giveBack(free);
        if (free == 0 && othersServe()) {
            tasks.passWake(queue);
        }
    }

    /**
     * Whether another live server serves this queue (read from the servers' heartbeats at most
     * every few heartbeats): alone, a token passed on would only come back to this server.
     */
    private boolean othersServe() {
        // Wall time for the cache (the engine's clock may be a test's, standing still).
        long wall = System.nanoTime();
        if (othersCheckedAt < 0
                || wall - othersCheckedAt >= 5 * settings.heartbeatInterval().toNanos()) {
            othersCheckedAt = wall;
            try {
                othersServe = nodes.nodes(clock.millis()).stream()
                        .anyMatch(n -> !n.nodeId().equals(settings.nodeId())
                                && n.queues().contains(label));
            } catch (StoreUnavailableException e) {
                othersServe = true; // not known: pass it on, as without this check
            }
        }
        return othersServe;
    }
}

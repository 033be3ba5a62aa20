package io.redtask.engine;

import io.redtask.QueueNames;

import java.time.Duration;
import java.util.List;

/**
 * How an engine behaves. Build with {@link #builder(String)}; durations must be positive.
 *
 * @param nodeId            this server's name in Redis (owner of its leases)
 * @param queues            the queues this server's workers take tasks from
 * @param concurrency       how many tasks run at once on this server
 * @param maxConcurrency    the ceiling of {@code concurrency}: the worker executor's own limit
 * @param lease             how long a claim holds a task without a heartbeat
 * @param heartbeatInterval how often held leases are extended (and cancels noticed)
 * @param reaperInterval    how often expired leases are looked for
 * @param pollInterval      longest blocking wait on Redis, so stop and due times are seen
 * @param claimBatch        most tasks claimed in one round trip
 * @param shutdownGrace     how long stop waits for running tasks before handing them back
 * @param keepSucceeded     how long succeeded and cancelled tasks and their results are kept
 * @param keepDead          how long dead tasks are kept
 * @param maxStalls         lost leases a task survives before it is dead
 * @param backoff           waits between attempts, unless a handler or submit says otherwise
 * @param idempotencyWindow how long an idempotency key is remembered by default
 * @param cronInterval      how often recurring schedules are checked for due slots
 * @param misfireThreshold  a slot later than this is missed (all servers were down), and handled
 *                          by the schedule's misfire policy
 * @param watchInterval     how often attempts are checked against their timeouts, tasks left for a
 *                          worker slow to finish are started elsewhere, and awaited tasks
 *                          ({@code whenFinished}) are checked against their states
 * @param nodeTtl           how long a server counts as alive after its last heartbeat
 * @param outageBackoff     longest wait between tries while Redis does not answer (the first is
 *                          {@code outageBackoff / 50}, doubling)
 * @param statsWindow       how long the 10-second counter buckets behind per-minute rates are kept
 *                          (at least a minute for the rates to be right)
 * @param promoteBatch      most due scheduled tasks one claim makes ready
 * @param servedCheck       how often, per queue, a submit checks that some server takes tasks
 *                          from it, and how often it warns when none does ({@code servedCheck} x 60)
 * @param durability        what a submit and a completion wait for before they are acknowledged
 * @param memoryHighWater   the share of Redis's {@code maxmemory} past which submits are refused
 *                          (1 or more: never)
 * @param limits            bounds of what a submit or a schedule may ask for ({@code redtask.limits.*},
 *                          {@code redtask.queues.allowed}); {@link SubmitLimits.Limits#DEFAULTS} unless set
 * @param claimOnSubmit     whether a submit to a queue this server serves, while it has idle workers,
 *                          claims the queue's next tasks for them in its own round trip (default on)
 * @param queueShards       shards of the queues spread over several ({@code redtask.queue.<q>.shards}),
 *                          by queue; a queue not in it has one shard, its keys as ever. Every server
 *                          that submits to or serves such a queue should say the same
 */
public record EngineSettings(
        String nodeId,
        List<String> queues,
        int concurrency,
        int maxConcurrency,
        Duration lease,
        Duration heartbeatInterval,
        Duration reaperInterval,
        Duration pollInterval,
        int claimBatch,
        Duration shutdownGrace,
        Duration keepSucceeded,
        Duration keepDead,
        int maxStalls,
        RetryBackoff backoff,
        Duration idempotencyWindow,
        Duration cronInterval,
        Duration misfireThreshold,
        Duration watchInterval,
        Duration nodeTtl,
        Duration outageBackoff,
        Duration statsWindow,
        int promoteBatch,
        Duration servedCheck,
        Durability durability,
        double memoryHighWater,
        SubmitLimits.Limits limits,
        boolean claimOnSubmit,
        java.util.Map<String, Integer> queueShards) {

    /** Every default, in one place: what {@link #builder(String)} starts from. */
    public static final EngineSettings DEFAULTS = builder("defaults").build();

    /** The shards of {@code queue}: its {@code redtask.queue.<q>.shards}, 1 unless set. */
    public int shards(String queue) {
        return queueShards.getOrDefault(queue, 1);
    }

    /** How many fetch loops this server runs: one per shard of each of its queues. */
    public int fetchers() {
        return queues.stream().mapToInt(this::shards).sum();
    }

    public EngineSettings {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (queues == null || queues.isEmpty()) {
            throw new IllegalArgumentException("at least one queue is needed");
        }
        queues = List.copyOf(queues);
        queues.forEach(QueueNames::requireValid);
        if (concurrency < 0 || concurrency > maxConcurrency) {
            throw new IllegalArgumentException("concurrency must be between 0 and " + maxConcurrency
                    + " (the worker executor's limit), was " + concurrency);
        }
        if (claimBatch < 1) {
            throw new IllegalArgumentException("claimBatch must be at least 1");
        }
        if (memoryHighWater <= 0) {
            throw new IllegalArgumentException("memoryHighWater must be above 0 (1 or more turns the guard off)");
        }
        if (promoteBatch < 1) {
            throw new IllegalArgumentException("promoteBatch must be at least 1");
        }
        if (maxStalls < 0) {
            throw new IllegalArgumentException("maxStalls must be 0 or more");
        }
        queueShards = queueShards == null ? java.util.Map.of() : java.util.Map.copyOf(queueShards);
        queueShards.forEach((q, n) -> {
            QueueNames.requireValid(q);
            if (n < 1 || n > io.redtask.store.ShardNames.MAX_SHARDS) {
                throw new IllegalArgumentException("redtask.queue." + q + ".shards must be 1 to "
                        + io.redtask.store.ShardNames.MAX_SHARDS + ", was " + n);
            }
        });
        if (limits == null) {
            throw new IllegalArgumentException("limits must be set (SubmitLimits.Limits.DEFAULTS for the defaults)");
        }
        java.util.Map<String, Duration> durations = new java.util.LinkedHashMap<>();
        durations.put("lease", lease);
        durations.put("heartbeatInterval", heartbeatInterval);
        durations.put("reaperInterval", reaperInterval);
        durations.put("pollInterval", pollInterval);
        durations.put("keepSucceeded", keepSucceeded);
        durations.put("keepDead", keepDead);
        durations.put("idempotencyWindow", idempotencyWindow);
        durations.put("cronInterval", cronInterval);
        durations.put("misfireThreshold", misfireThreshold);
        durations.put("watchInterval", watchInterval);
        durations.put("nodeTtl", nodeTtl);
        durations.put("outageBackoff", outageBackoff);
        durations.put("statsWindow", statsWindow);
        durations.put("servedCheck", servedCheck);
        durations.forEach((name, d) -> {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
            }
        });
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        if (nodeTtl.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException(
                    "nodeTtl (" + nodeTtl + ") must be longer than the heartbeatInterval (" + heartbeatInterval + ")");
        }
        if (heartbeatInterval.compareTo(lease) >= 0) {
            throw new IllegalArgumentException(
                    "heartbeatInterval (" + heartbeatInterval + ") must be shorter than the lease (" + lease + ")");
        }
    }

    /**
     * Defaults: queue {@code default}, 8 workers, 8 s lease renewed every second, 24 h / 7 d
     * retention, 3 stalls, 1 s..1 h backoff, 24 h idempotency window.
     */
    public static Builder builder(String nodeId) {
        return new Builder(nodeId);
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(nodeId);
        b.queues = queues;
        b.concurrency = concurrency;
        b.maxConcurrency = maxConcurrency;
        b.lease = lease;
        b.heartbeatInterval = heartbeatInterval;
        b.reaperInterval = reaperInterval;
        b.pollInterval = pollInterval;
        b.claimBatch = claimBatch;
        b.shutdownGrace = shutdownGrace;
        b.keepSucceeded = keepSucceeded;
        b.keepDead = keepDead;
        b.maxStalls = maxStalls;
        b.backoff = backoff;
        b.idempotencyWindow = idempotencyWindow;
        b.cronInterval = cronInterval;
        b.misfireThreshold = misfireThreshold;
        b.watchInterval = watchInterval;
        b.nodeTtl = nodeTtl;
        b.outageBackoff = outageBackoff;
        b.statsWindow = statsWindow;
        b.promoteBatch = promoteBatch;
        b.servedCheck = servedCheck;
        b.durability = durability;
        b.memoryHighWater = memoryHighWater;
        b.limits = limits;
        b.claimOnSubmit = claimOnSubmit;
        b.queueShards = new java.util.HashMap<>(queueShards);
        return b;
    }

    /** Builds {@link EngineSettings}. */
    public static final class Builder {
        private String nodeId;
        private List<String> queues = List.of("default");
        private int concurrency = 8;
        private int maxConcurrency = 1_000;
        // The lease is how long a server may go unheard before its tasks are taken over (8 missed
        // heartbeats): short enough that a killed server's tasks start again within 10 s, long
        // enough that a Redis blip of several seconds makes nothing run twice (the holder stops
        // its handlers only when renewals have failed for almost the whole lease).
        private Duration lease = Duration.ofSeconds(8);
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration reaperInterval = Duration.ofSeconds(1);
        private Duration pollInterval = Duration.ofSeconds(1);
        private int claimBatch = 32;
        private Duration shutdownGrace = Duration.ofSeconds(20);
        private Duration keepSucceeded = Duration.ofHours(24);
        private Duration keepDead = Duration.ofDays(7);
        private int maxStalls = 3;
        private RetryBackoff backoff = RetryBackoff.DEFAULT;
        private Duration idempotencyWindow = Duration.ofHours(24);
        private Duration cronInterval = Duration.ofMillis(500);
        private Duration misfireThreshold = Duration.ofMinutes(1);
        private Duration watchInterval = Duration.ofMillis(50);
        private Duration nodeTtl = Duration.ofSeconds(10);
        private Duration outageBackoff = Duration.ofSeconds(5);
        private Duration statsWindow = Duration.ofMinutes(2);
        private int promoteBatch = 100;
        private Duration servedCheck = Duration.ofMinutes(1);
        private Durability durability = Durability.ASYNC;
        private double memoryHighWater = 0.9;
        private SubmitLimits.Limits limits = SubmitLimits.Limits.DEFAULTS;
        private boolean claimOnSubmit = true;
        private java.util.Map<String, Integer> queueShards = new java.util.HashMap<>();

        private Builder(String nodeId) {
            this.nodeId = nodeId;
        }

        public Builder nodeId(String v) {
            nodeId = v;
            return this;
        }

        public Builder queues(List<String> v) {
            queues = v;
            return this;
        }

        public Builder concurrency(int v) {
            concurrency = v;
            return this;
        }

        /** The ceiling of the concurrency: the worker executor's own limit. */
        public Builder maxConcurrency(int v) {
            maxConcurrency = v;
            return this;
        }

        /** The lease and how often it is renewed. */
        public Builder lease(Duration v, Duration heartbeat) {
            lease = v;
            heartbeatInterval = heartbeat;
            return this;
        }

        public Builder reaperInterval(Duration v) {
            reaperInterval = v;
            return this;
        }

        public Builder pollInterval(Duration v) {
            pollInterval = v;
            return this;
        }

        public Builder claimBatch(int v) {
            claimBatch = v;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        /** How long succeeded (and cancelled) and dead tasks are kept. */
        public Builder retention(Duration succeeded, Duration dead) {
            keepSucceeded = succeeded;
            keepDead = dead;
            return this;
        }

        public Builder maxStalls(int v) {
            maxStalls = v;
            return this;
        }

        public Builder backoff(RetryBackoff v) {
            backoff = v;
            return this;
        }

        public Builder idempotencyWindow(Duration v) {
            idempotencyWindow = v;
            return this;
        }

        public Builder cronInterval(Duration v) {
            cronInterval = v;
            return this;
        }

        public Builder misfireThreshold(Duration v) {
            misfireThreshold = v;
            return this;
        }

        public Builder watchInterval(Duration v) {
            watchInterval = v;
            return this;
        }

        public Builder nodeTtl(Duration v) {
            nodeTtl = v;
            return this;
        }

        public Builder outageBackoff(Duration v) {
            outageBackoff = v;
            return this;
        }

        public Builder statsWindow(Duration v) {
            statsWindow = v;
            return this;
        }

        public Builder promoteBatch(int v) {
            promoteBatch = v;
            return this;
        }

        public Builder servedCheck(Duration v) {
            servedCheck = v;
            return this;
        }

        public Builder durability(Durability v) {
            durability = v;
            return this;
        }

        public Builder memoryHighWater(double v) {
            memoryHighWater = v;
            return this;
        }

        /**
         * Whether a submit to a queue this server serves, while it has idle workers, claims the
         * queue's next tasks for them in the same round trip (default {@code true}: when nothing
         * else waits the submit stores its task as claimed at once, which costs Redis less than a
         * wake-up token, a fetcher's wake-up and its claim: README, "Claim on submit"). Off, every
         * task waits for a fetcher to be woken and claim it, which spreads the tasks a server
         * submits over every server with idle workers, not this one first. It applies with
         * {@link Durability#ASYNC} only.
         */
        public Builder claimOnSubmit(boolean v) {
            claimOnSubmit = v;
            return this;
        }

        /**
         * Spreads {@code queue} over {@code shards} shards (1 to 64; 1, the default, is one shard
         * as ever): its tasks go to several Redis Cluster slots, each on a master of its own where
         * the cluster has enough, and this server's workers take from all of them. Priority and
         * FIFO order hold within a shard, not across shards ({@code redtask.queue.<q>.shards}).
         */
        public Builder queueShards(String queue, int shards) {
            queueShards.put(queue, shards);
            return this;
        }

        /** This builder after {@code step} (a conditional step in a chain of calls). */
        public Builder apply(java.util.function.Consumer<Builder> step) {
            step.accept(this);
            return this;
        }

        /** Bounds of what a submit or a schedule may ask for. */
        public Builder limits(SubmitLimits.Limits v) {
            limits = v;
            return this;
        }

        public EngineSettings build() {
            return new EngineSettings(
                    nodeId,
                    queues,
                    concurrency,
                    maxConcurrency,
                    lease,
                    heartbeatInterval,
                    reaperInterval,
                    pollInterval,
                    claimBatch,
                    shutdownGrace,
                    keepSucceeded,
                    keepDead,
                    maxStalls,
                    backoff,
                    idempotencyWindow,
                    cronInterval,
                    misfireThreshold,
                    watchInterval,
                    nodeTtl,
                    outageBackoff,
                    statsWindow,
                    promoteBatch,
                    servedCheck,
                    durability,
                    memoryHighWater,
                    limits,
                    claimOnSubmit,
                    queueShards);
        }
    }
}

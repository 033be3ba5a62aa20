package io.redtask.bench;

import io.redtask.engine.EngineSettings;
import io.redtask.testing.RedisCluster;
import io.redtask.testing.RedisServer;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The in-process half of {@code scripts/bench}: the workload of {@code ../shared/bench-peers} (N
 * no-op tasks, workers started before the first submit, bulk batches of 500 or one awaited submit
 * per task) on engines against redis-servers this class starts, one JSON line per measurement on
 * stdout.
 *
 * <p>Parts (system property {@code parts}, comma-separated; {@code inprocess,memory} when unset, and
 * {@code memory=false} drops memory):
 *
 * <ul>
 *   <li>{@code inprocess}: modes {@code modes} (bulk,single) x concurrency {@code conc} (8,1);
 *   <li>{@code sweep}: bulk mode at {@code sweep} workers (1,2,4,8,16,32);
 *   <li>{@code latency}: open loop at {@code rate} tasks/s (2000) for {@code latency.seconds} (10)
 *       with 8 workers, enqueue-to-start percentiles ({@link OpenLoopLatency});
 *   <li>{@code memory}: Redis bytes per queued task with a 100-byte payload ({@link MemoryPerTask});
 *   <li>{@code roundtrip}: one awaited submit after another with no worker on the queue, beside a
 *       PING round trip ({@link SubmitRoundTrip});
 *   <li>{@code cluster}: bulk at 8 workers on a three-master Redis Cluster, one shard; and
 *       {@code shards} (3) shards when the engine has a shards setting, else a line saying it has
 *       none yet;
 *   <li>{@code scripts}: a diagnostic, not a measurement: where Redis's time goes in bulk and
 *       single at 8 workers, per script ({@link ScriptCosts});
 *   <li>{@code coalescing}: a diagnostic for a design not built: Redis's and the JVM's CPU per
 *       command when 8 callers' commands go each on its own connection, and all through one
 *       connection that writes them together ({@link RequestCoalescing}).
 * </ul>
 *
 * Other settings: {@code n} (20000), {@code bulk} (500), {@code warmup} (2000: before each
 * measurement), {@code jit.warmup} (rounds of 20000 bulk tasks, then of 20000 single tasks, at 8
 * workers before the first measurement of the JVM (of any part but memory, roundtrip, cluster and
 * coalescing), each mode until, from the second round on, the
 * JIT compiled for under 10 % of a round, or {@code jit.rounds} (8) have run; 0 for none).
 */
public final class Bench {

    /** The longest one measurement may take before it is reported unfinished. */
    static final int TIMEOUT_S = Integer.getInteger("timeout", 120);

    private static final Set<String> PARTS =
            Set.of("inprocess", "sweep", "latency", "memory", "roundtrip", "cluster", "scripts", "coalescing");

    private Bench() {}

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("n", 20_000);
        int bulk = Integer.getInteger("bulk", 500);
        int warmup = Integer.getInteger("warmup", 2_000);
        // Without "parts", what this class always did (scripts/bench names the parts it wants).
        Set<String> parts = new TreeSet<>(
                List.of(System.getProperty("parts", "inprocess,memory").split(",")));
        parts.removeIf(String::isBlank);
        if ("false".equals(System.getProperty("memory"))) {
            parts.remove("memory");
        }
        Set<String> unknown = new TreeSet<>(parts);
        unknown.removeAll(PARTS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown bench parts " + unknown + "; known: " + new TreeSet<>(PARTS));
        }
        try (RedisServer redis = RedisServer.start(false)) {
            ThroughputRun plain = new ThroughputRun(redis.url(), "", UnaryOperator.identity());
            int jitWarmup = Integer.getInteger("jit.warmup", 20_000);
            if (jitWarmup > 0
                    && (parts.contains("inprocess")
                            || parts.contains("sweep")
                            || parts.contains("scripts")
                            // Alone too: its own warm-up (one second at the rate) leaves the JIT
                            // compiling through the measured run, a core's worth at times.
                            || parts.contains("latency"))) {
                // A JVM compiles its hot paths after thousands of calls; until then the compiler
                // threads take CPU from Redis on a small machine. Measured: a first bulk run cost
                // 135 us of JVM CPU per task, a warm one 25 us. Not reported, but how many rounds
                // it took is.
                Warmup bulkRounds = settle(plain, "bulk", jitWarmup, bulk);
                Warmup singleRounds = settle(plain, "single", jitWarmup, bulk);
                System.out.println(String.format(
                        java.util.Locale.ROOT,
                        "{\"system\":\"redtask\",\"mode\":\"warmup\",\"where\":\"inprocess\",\"tasks_per_round\":%d,"
                                + "\"bulk_rounds\":%d,\"single_rounds\":%d,\"settled\":%b}",
                        jitWarmup,
                        bulkRounds.rounds(),
                        singleRounds.rounds(),
                        bulkRounds.settled() && singleRounds.settled()));
            }
            if (parts.contains("inprocess")) {
                for (int conc : ints("conc", "8,1")) {
                    for (String mode :
                            System.getProperty("modes", "bulk,single").split(",")) {
                        plain.warmAndMeasure(mode, conc, warmup, n, bulk, "");
                    }
                }
            }
            if (parts.contains("sweep")) {
                boolean first = true;
                for (int workers : ints("sweep", "1,2,4,8,16,32")) {
                    plain.warmAndMeasure("bulk", workers, first ? warmup : 0, n, bulk, ",\"sweep\":true");
                    first = false;
                }
            }
            if (parts.contains("latency")) {
                new OpenLoopLatency(redis.url())
                        .warmAndMeasure(
                                Integer.getInteger("rate", 2_000),
                                Integer.getInteger("latency.seconds", 10),
                                Integer.getInteger("latency.conc", 8));
            }
            if (parts.contains("memory")) {
                MemoryPerTask.measure(redis.url());
            }
            if (parts.contains("roundtrip")) {
                SubmitRoundTrip.measure(redis.url(), n);
            }
            if (parts.contains("scripts")) {
                ScriptCosts.measure(redis.url(), Integer.getInteger("scripts.n", 5_000), bulk, warmup);
            }
            if (parts.contains("coalescing")) {
                RequestCoalescing.measure(redis.url(), Integer.getInteger("coalescing.n", 20_000));
            }
        }
        if (parts.contains("cluster")) {
            cluster(n, bulk, warmup, Integer.getInteger("shards", 3));
        }
    }

    /** Most warm-up rounds of one mode before measuring anyway. */
    static final int MAX_WARMUP_ROUNDS = Math.max(2, Integer.getInteger("jit.rounds", 8));

    /** Warm-up rounds agree when the later is within this share of the earlier (a JVM that does not tell its JIT time). */
    static final double SETTLED = 0.10;

    /** The JIT has settled when it compiled for less than this share of a round's wall time. */
    static final double JIT_QUIET = 0.10;

    /** How a warm-up went: how many rounds ran, and whether it settled. */
    record Warmup(int rounds, boolean settled) {}

    /**
     * Runs rounds of {@code tasks} tasks of {@code mode} at 8 workers, unmeasured, until the JIT
     * has compiled what the workload runs: from the second round on, one in which it compiled for
     * less than {@link #JIT_QUIET} of the round's time (where the JVM does not tell, two rounds in
     * a row that agree within {@link #SETTLED}); or until {@link #MAX_WARMUP_ROUNDS} have run.
     * Rates are no signal on their own: two early rounds can agree while both are slow, and warm
     * rounds differ by 10-20 % on a shared 2-core machine (measured: JIT time per round of 20,000
     * bulk tasks 3,410, 1,774, 933, 312, 151 ms against 2-4 s of wall time). scripts/bench applies
     * the same rule in Liberty.
     */
    static Warmup settle(ThroughputRun run, String mode, int tasks, int bulk) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitKnown = jit != null && jit.isCompilationTimeMonitoringSupported();
        double last = -1;
        for (int round = 1; round <= MAX_WARMUP_ROUNDS; round++) {
            long jitBefore = jitKnown ? jit.getTotalCompilationTime() : 0;
            long start = System.nanoTime();
            double rate = run.warmOnly(mode, 8, tasks, bulk);
            long wallMillis = (System.nanoTime() - start) / 1_000_000;
            boolean settled = jitKnown
                    ? jit.getTotalCompilationTime() - jitBefore < JIT_QUIET * wallMillis
                    : Math.abs(rate - last) <= SETTLED * last;
            if (round > 1 && settled) {
                return new Warmup(round, true);
            }
            last = rate;
        }
        return new Warmup(MAX_WARMUP_ROUNDS, false);
    }

    /** Bulk c8 on a three-master Redis Cluster: one shard, then {@code shards} when the engine can. */
    private static void cluster(int n, int bulk, int warmup, int shards) throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            new ThroughputRun(cluster.url(), "cluster-", UnaryOperator.identity())
                    .warmAndMeasure("bulk", 8, warmup, n, bulk, ",\"masters\":3,\"shards\":1");
            if (shards <= 1) {
                return;
            }
            Method setter = shardsSetter();
            if (setter == null) {
                System.out.println(String.format(
                        Locale.ROOT,
                        "{\"system\":\"redtask\",\"mode\":\"cluster-bulk\",\"concurrency\":8,\"masters\":3,"
                                + "\"shards\":%d,\"supported\":false,\"note\":\"this engine has no queue shards "
                                + "setting (EngineSettings) yet\"}",
                        shards));
                return;
            }
            UnaryOperator<EngineSettings.Builder> sharded = b -> invoke(setter, b, shards);
            new ThroughputRun(cluster.url(), "cluster-", sharded)
                    .warmAndMeasure("bulk", 8, warmup, n, bulk, ",\"masters\":3,\"shards\":" + shards);
        }
    }

    /**
     * The engine's shards setting, looked up by name so the bench compiles against engines with and
     * without it: a builder method named like {@code shards} taking (int) or (queue, int).
     */
    private static Method shardsSetter() {
        return Arrays.stream(EngineSettings.Builder.class.getMethods())
                .filter(m -> m.getName().toLowerCase(Locale.ROOT).contains("shard"))
                .filter(m -> Arrays.equals(m.getParameterTypes(), new Class<?>[] {int.class})
                        || Arrays.equals(m.getParameterTypes(), new Class<?>[] {String.class, int.class}))
                .findFirst()
                .orElse(null);
    }

    private static EngineSettings.Builder invoke(Method setter, EngineSettings.Builder b, int shards) {
        try {
            Object r = setter.getParameterCount() == 1 ? setter.invoke(b, shards) : setter.invoke(b, "default", shards);
            return r instanceof EngineSettings.Builder nb ? nb : b;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set " + shards + " shards through " + setter + ": " + e, e);
        }
    }

    private static List<Integer> ints(String property, String defaults) {
        String value = System.getProperty(property, defaults);
        try {
            return Arrays.stream(value.split(","))
                    .map(String::strip)
                    .map(Integer::valueOf)
                    .toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    property + " must be comma-separated whole numbers, was '" + value + "'", e);
        }
    }
}

package io.redtask.bench;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Slowlog;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Where Redis's time goes on a workload (the {@code scripts} part of {@code scripts/bench}, a
 * diagnostic, not a measurement to compare): one run each of bulk and single at 8 workers, of
 * {@code scripts.n} tasks (5000), with Redis's command statistics reset before it and its slow log
 * recording every command (its settings are put back afterwards). One JSON line per mode: commands Redis ran per task (a script's own
 * commands included), script calls per task and Redis's time in them, and per script (function)
 * its calls per task and mean time per call. The slow log holds up to {@link #ENTRIES_PER_TASK}
 * commands a task (at most {@link #MAX_ENTRIES}), which covers the whole run ({@code
 * "whole_run":true}); when a run needs more, the split between scripts comes from its end, which
 * in bulk mode holds few submits: a biased sample, so keep {@code scripts.n} small. Recording every command makes each a little
 * slower, which is why the run's own throughput line says {@code "diagnostic":true}.
 */
final class ScriptCosts {

    /** Slow log entries kept per task of the run (a single task costs about 30 commands). */
    static final int ENTRIES_PER_TASK = 40;

    /**
     * Most slow log entries kept (each a copy of up to 32 arguments: some tens of MB of the bench's
     * own Redis, read back in one reply).
     */
    static final int MAX_ENTRIES = 200_000;

    private ScriptCosts() {}

    /** Runs bulk and single at 8 workers on the Redis at {@code url} (one this bench started). */
    static void measure(String url, int n, int bulk, int warmup) throws Exception {
        if (n < 1) {
            throw new IllegalArgumentException("scripts.n must be at least 1, was " + n);
        }
        ThroughputRun run = new ThroughputRun(url, "scripts-", UnaryOperator.identity());
        int entries = Math.min(MAX_ENTRIES, ENTRIES_PER_TASK * n);
        for (String mode : List.of("bulk", "single")) {
            if (warmup > 0) {
                run.warmOnly(mode, 8, warmup, bulk);
            }
            Map<String, String> before;
            try (Jedis redis = new Jedis(URI.create(url))) {
                before = redis.configGet("slowlog-*");
                redis.configResetStat();
                redis.slowlogReset();
                redis.configSet("slowlog-max-len", Integer.toString(entries));
                redis.configSet("slowlog-log-slower-than", "0");
            }
            try {
                run.warmAndMeasure(mode, 8, 0, n, bulk, ",\"diagnostic\":true");
            } finally {
                try (Jedis redis = new Jedis(URI.create(url))) {
                    try {
                        redis.configSet("slowlog-log-slower-than", "-1");
                        System.out.println(line(mode, n, entries, redis));
                    } finally {
                        redis.slowlogReset();
                        redis.configSet(before);
                    }
                }
            }
        }
    }

    /** The JSON line for one run of {@code n} tasks: Redis's statistics and its slow log now. */
    private static String line(String mode, int n, int entries, Jedis redis) {
        Map<String, long[]> stats = commandStats(redis.info("commandstats"));
        long commands = stats.values().stream().mapToLong(v -> v[0]).sum();
        long[] fcall = stats.getOrDefault("fcall", new long[2]);
        // Per script in the log's window: calls and microseconds.
        Map<String, long[]> scripts = new TreeMap<>();
        long logged = 0;
        List<Slowlog> log = redis.slowlogGet(entries);
        for (Slowlog entry : log) {
            List<String> args = entry.getArgs();
            if (args.size() > 1 && args.get(0).equalsIgnoreCase("fcall")) {
                String name = args.get(1).replaceFirst("^redtask_[0-9a-f]+_", "");
                long[] v = scripts.computeIfAbsent(name, k -> new long[2]);
                v[0]++;
                v[1] += entry.getExecutionTime();
                logged++;
            }
        }
        long inLog = logged;
        String perScript = scripts.entrySet().stream()
                .map(e -> String.format(
                        Locale.ROOT,
                        "\"%s\":{\"calls_per_task\":%.3f,\"us_per_call\":%.1f}",
                        e.getKey(),
                        // The window's share of the script calls, of all the run's script calls.
                        (double) e.getValue()[0] / inLog * fcall[0] / n,
                        (double) e.getValue()[1] / e.getValue()[0]))
                .collect(Collectors.joining(","));
        return String.format(
                Locale.ROOT,
                "{\"system\":\"redtask\",\"mode\":\"scripts-%s\",\"concurrency\":8,\"n\":%d,"
                        + "\"commands_per_task\":%.1f,\"script_calls_per_task\":%.2f,\"script_us_per_task\":%.1f,"
                        + "\"whole_run\":%b,\"scripts\":{%s}}",
                mode,
                n,
                (double) commands / n,
                (double) fcall[0] / n,
                (double) fcall[1] / n,
                log.size() < entries,
                perScript);
    }

    /** {@code INFO commandstats} as command name to {calls, usec}. */
    static Map<String, long[]> commandStats(String info) {
        Map<String, long[]> out = new TreeMap<>();
        for (String row : info.split("\r?\n")) {
            if (!row.startsWith("cmdstat_")) {
                continue;
            }
            String name = row.substring("cmdstat_".length(), row.indexOf(':'));
            long calls = 0;
            long usec = 0;
            for (String field : row.substring(row.indexOf(':') + 1).split(",")) {
                String[] kv = field.split("=", 2);
                if (kv[0].equals("calls")) {
                    calls = Long.parseLong(kv[1]);
                } else if (kv[0].equals("usec")) {
                    usec = Long.parseLong(kv[1]);
                }
            }
            out.put(name, new long[] {calls, usec});
        }
        return out;
    }
}

package io.redtask.bench;

import jakarta.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.redtask.bench.Report.fmt;
import static io.redtask.bench.Report.number;

/**
 * The README's "Performance" figures as Markdown, from the lines of one run: {@code scripts/bench}
 * with {@code DOCS=1} puts it between the README's {@code bench:begin} and {@code bench:end}
 * markers, so the README always shows one run's figures side by side.
 */
final class SummaryMarkdown {

    private SummaryMarkdown() {}

    static String of(
            List<Report.Point> redtask,
            List<Report.Point> sweep,
            List<Report.Point> peers,
            Optional<JsonObject> liberty,
            PairedRounds paired,
            List<JsonObject> others) {
        StringBuilder md = new StringBuilder();
        machine(md, others);
        throughput(md, redtask, peers);
        md.append(paired.markdown());
        if (!sweep.isEmpty()) {
            md.append(
                    "Bulk submit, by workers (RedTask in-process; the peers' and in-Liberty figures of the same run as "
                            + "squares):\n\n![tasks/s by workers](docs/bench/sweep.svg)\n\n| workers |");
            sweep.forEach(p -> md.append(' ').append(p.concurrency()).append(" |"));
            md.append("\n|---|");
            sweep.forEach(p -> md.append("---:|"));
            md.append("\n| RedTask tasks/s |");
            sweep.forEach(p -> md.append(' ').append(fmt(p.perSecond())).append(" |"));
            md.append("\n\n");
        }
        for (JsonObject o : others) {
            switch (o.getString("mode", "")) {
                case "latency" -> {
                    md.append(String.format(
                            Locale.ROOT,
                            "Latency, open loop: %s tasks/s offered (%s achieved, %,d sends more than 1 ms late), %d "
                                    + "workers, %,d tasks; enqueue to handler start, from each task's due time "
                                    + "(targets: p50 <= 1 ms, p99 <= 5 ms):\n\n"
                                    + "| p50 | p90 | p99 | max |\n|---:|---:|---:|---:|\n"
                                    + "| %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n\n",
                            fmt(number(o, "target_rate_per_s")),
                            fmt(number(o, "achieved_rate_per_s")),
                            o.getInt("late_sends", 0),
                            o.getInt("concurrency", 0),
                            o.getInt("n", 0),
                            number(o, "latency_p50_ms"),
                            number(o, "latency_p90_ms"),
                            number(o, "latency_p99_ms"),
                            number(o, "latency_max_ms")));
                    if (o.containsKey("send_late_p99_ms")) {
                        // A sender the machine wakes late counts against the latency (no
                        // coordinated omission); how late it was tells the machine's share.
                        md.append(String.format(
                                Locale.ROOT,
                                "Senders waiting for a task's due time were woken late by more than %.2f ms for 1 %% of the "
                                        + "tasks (%.2f ms at most); "
                                        + "counted from each task's actual send instead: p50 %.2f ms, p99 %.2f ms, max %.2f ms.\n\n",
                                number(o, "send_late_p99_ms"),
                                number(o, "send_late_max_ms"),
                                number(o, "from_send_p50_ms"),
                                number(o, "from_send_p99_ms"),
                                number(o, "from_send_max_ms")));
                    }
                    if (o.getInt("kernel_threads_cpu_ms", 0) > 0) {
                        md.append(String.format(
                                Locale.ROOT,
                                "The kernel's own threads used %,d ms of CPU meanwhile, %,d ms of it `%s`.\n\n",
                                o.getInt("kernel_threads_cpu_ms", 0),
                                o.getInt("busiest_kernel_thread_cpu_ms", 0),
                                o.getString("busiest_kernel_thread", "?")));
                    }
                }
                case "memory" ->
                    md.append(String.format(
                            Locale.ROOT,
                            "Memory: %s bytes of Redis per queued task with a 100-byte payload (%,d tasks; task hash "
                                    + "encoding %s).\n\n",
                            fmt(number(o, "redis_bytes_per_task")),
                            o.getInt("tasks", 0),
                            o.getString("task_hash_encoding", "?")));
                case "submit-roundtrip" ->
                    md.append(String.format(
                            Locale.ROOT,
                            "One awaited submit on its own (%,d in a row from one thread, no worker on the queue): "
                                    + "%.1f us each, against %.1f us for a PING over the same client library; "
                                    + "single submits cannot go faster than one such round trip per task.\n\n",
                            o.getInt("n", 0),
                            number(o, "submit_us"),
                            number(o, "ping_us")));
                case "cluster-bulk" ->
                    md.append(
                            o.containsKey("e2e_jobs_per_s")
                                    ? String.format(
                                            Locale.ROOT,
                                            "Redis Cluster (%d masters), bulk, %d workers, %d shard(s): %s tasks/s.\n\n",
                                            o.getInt("masters", 0),
                                            o.getInt("concurrency", 0),
                                            o.getInt("shards", 1),
                                            fmt(number(o, "e2e_jobs_per_s")))
                                    : String.format(
                                            Locale.ROOT,
                                            "Redis Cluster, %d shards: not measured (%s).\n\n",
                                            o.getInt("shards", 0),
                                            o.getString("note", "not supported")));
                case "scripts-bulk", "scripts-single" -> {
                    if (o.containsKey("scripts")) {
                        scriptCosts(md, o);
                    }
                }
                default -> {}
            }
        }
        liberty.ifPresent(l -> {
            String mode = l.getString("mode").substring(Report.LIBERTY_MODE.length());
            int conc = l.getInt("concurrency");
            Optional<Report.Point> in = redtask.stream()
                    .filter(p -> p.mode().equals(mode) && p.concurrency() == conc)
                    .findFirst()
                    .or(() -> sweep.stream()
                            .filter(p -> p.mode().equals(mode) && p.concurrency() == conc)
                            .findFirst());
            md.append(String.format(
                    Locale.ROOT,
                    "In Liberty (the EAR, workers on the ManagedExecutorService, %s submits from a bean, %d workers): "
                            + "%s tasks/s",
                    mode,
                    conc,
                    fmt(number(l, "e2e_jobs_per_s"))));
            in.ifPresent(p -> md.append(String.format(
                    Locale.ROOT,
                    " against %s in-process: %.0f %% (target: %.0f %% or more)",
                    fmt(p.perSecond()),
                    100 * number(l, "e2e_jobs_per_s") / p.perSecond(),
                    100 * Report.LIBERTY_TARGET)));
            md.append(".\n\n");
        });
        return md.toString();
    }

    /** A {@link ScriptCosts} line: where Redis's time went, per script. */
    private static void scriptCosts(StringBuilder md, JsonObject o) {
        md.append(String.format(
                Locale.ROOT,
                "Where Redis's time goes (diagnostic, every command in the slow log), %s, %d workers, %,d tasks: "
                        + "%.1f commands and %.2f script calls a task, %.1f us a task in scripts.\n\n"
                        + "| script | calls a task | us a call |\n|---|---:|---:|\n",
                o.getString("mode").substring("scripts-".length()),
                o.getInt("concurrency", 0),
                o.getInt("n", 0),
                number(o, "commands_per_task"),
                number(o, "script_calls_per_task"),
                number(o, "script_us_per_task")));
        o.getJsonObject("scripts").forEach((name, v) -> {
            JsonObject one = v.asJsonObject();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.3f | %.1f |\n",
                    name,
                    number(one, "calls_per_task"),
                    number(one, "us_per_call")));
        });
        md.append('\n');
    }

    /** When, on what, and how busy the machine was. */
    private static void machine(StringBuilder md, List<JsonObject> others) {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonObject o : others) {
            if ("machine".equals(o.getString("system", ""))) {
                o.forEach((k, v) -> m.put(k, v.toString().replace("\"", "")));
            }
        }
        if (m.isEmpty()) {
            return;
        }
        md.append(String.format(
                Locale.ROOT,
                "Run of %s (commit %s) on %s CPUs (%s), %s, Redis %s. Load average %s at the start and %s at the end; "
                        + "of the %s CPU-seconds the machine had during the run, the bench used %s and other processes "
                        + "%s (the Redis servers the bench starts count as others).\n\n",
                m.getOrDefault("date", "?"),
                m.getOrDefault("commit", "?"),
                m.getOrDefault("cpus", "?"),
                m.getOrDefault("cpu_model", "?"),
                m.getOrDefault("java", "?"),
                m.getOrDefault("redis", "?"),
                m.getOrDefault("load_1m_at_start", "?"),
                m.getOrDefault("load_1m_at_end", "?"),
                m.getOrDefault("cpu_s_available", "?"),
                m.getOrDefault("cpu_s_bench", "?"),
                m.getOrDefault("cpu_s_others", "?")));
        if ("0".equals(m.get("jit_warmup"))) {
            md.append(String.format(
                    Locale.ROOT,
                    "No JIT warm-up (JIT_WARMUP=0: a cold JVM); %s tasks before each measurement, as each peer has "
                            + "before its own.\n\n",
                    m.getOrDefault("warmup", "?")));
        } else if (m.containsKey("jit_warmup")) {
            List<String> rounds = new ArrayList<>();
            for (JsonObject o : others) {
                if ("warmup".equals(o.getString("mode", ""))) {
                    String where = o.getString("where", "?");
                    rounds.add(
                            o.containsKey("single_rounds")
                                    ? String.format(
                                            Locale.ROOT,
                                            "%s %d of bulk and %d of single work",
                                            where,
                                            o.getInt("bulk_rounds", 0),
                                            o.getInt("single_rounds"))
                                    : String.format(
                                            Locale.ROOT, "%s %d of bulk work", where, o.getInt("bulk_rounds", 0)));
                    if (!o.getBoolean("settled", true)) {
                        rounds.set(
                                rounds.size() - 1,
                                rounds.get(rounds.size() - 1) + " (not settled when the round limit was reached)");
                    }
                }
            }
            md.append(String.format(
                    Locale.ROOT,
                    "Warm-up, not reported: rounds of %s tasks (bulk, then single, in-process; bulk in Liberty) "
                            + "until the JIT compiles for under 10 %% of a round (a JVM compiles its hot paths "
                            + "after thousands of calls)%s; then %s before each measurement, as each peer has before its "
                            + "own.\n\n",
                    m.get("jit_warmup"),
                    rounds.isEmpty() ? "" : ": " + String.join("; ", rounds),
                    m.getOrDefault("warmup", "?")));
        }
    }

    /** RedTask against each peer, workload by workload, with the ratios. */
    private static void throughput(StringBuilder md, List<Report.Point> redtask, List<Report.Point> peers) {
        List<String> peerNames =
                peers.stream().map(Report.Point::system).distinct().toList();
        Map<String, Report.Point> byWorkload = new LinkedHashMap<>();
        redtask.stream()
                .filter(p -> p.mode().equals("bulk") || p.mode().equals("single"))
                .forEach(p -> byWorkload.putIfAbsent(
                        p.mode() + ", " + p.concurrency() + (p.concurrency() == 1 ? " worker" : " workers"), p));
        if (byWorkload.isEmpty()) {
            return;
        }
        md.append("| tasks/s (20k no-op) | RedTask");
        peerNames.forEach(p -> md.append(" | ").append(p));
        peerNames.forEach(p -> md.append(" | RedTask / ").append(p));
        md.append(" |\n|---|---:");
        peerNames.forEach(p -> md.append("|---:"));
        peerNames.forEach(p -> md.append("|---:"));
        md.append("|\n");
        byWorkload.forEach((workload, r) -> {
            md.append("| ").append(workload).append(" | ").append(fmt(r.perSecond()));
            List<Double> ratios = new ArrayList<>();
            for (String peer : peerNames) {
                Optional<Report.Point> p = peers.stream()
                        .filter(x -> x.system().equals(peer)
                                && x.mode().equals(r.mode())
                                && x.concurrency() == r.concurrency())
                        .findFirst();
                md.append(" | ").append(p.map(x -> fmt(x.perSecond())).orElse("-"));
                ratios.add(p.map(x -> r.perSecond() / x.perSecond()).orElse(Double.NaN));
            }
            ratios.forEach(v -> md.append(" | ").append(v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2f", v)));
            md.append(" |\n");
        });
        md.append('\n');
    }
}

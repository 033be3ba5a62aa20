package io.redtask.bench;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The last step of {@code scripts/bench}: reads every JSON line of one run (RedTask's, the
 * in-Liberty one, the peers'), prints the ratio lines (RedTask / each peer per workload, in-Liberty
 * / in-process; from the one full run, and from the paired rounds as {@link PairedRounds} takes
 * them), and writes the worker-sweep chart ({@link SweepChart}) and a Markdown summary for
 * the README.
 *
 * <p>Arguments: the run's JSON lines file, the output directory.
 */
public final class Report {

    /** One throughput figure: who, which mode, how many workers, tasks/s. */
    record Point(String system, String mode, int concurrency, double perSecond) {}

    /** In Liberty, RedTask should reach at least this share of its in-process figure. */
    static final double LIBERTY_TARGET = 0.70;

    /** How an in-Liberty line's mode starts ({@code liberty-bulk}). */
    static final String LIBERTY_MODE = "liberty-";

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: Report <run.jsonl> <output directory>");
        }
        List<JsonObject> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (line.startsWith("{")) {
                try (JsonReader r = Json.createReader(new StringReader(line))) {
                    lines.add(r.readObject());
                } catch (JsonException e) {
                    // A peer that crashed mid-line, say: the rest of the run is still worth its report.
                    System.err.println("[redtask] not a JSON line, left out of the report: " + line);
                }
            }
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        List<Point> redtask = new ArrayList<>();
        List<Point> sweep = new ArrayList<>();
        List<Point> peers = new ArrayList<>();
        Optional<JsonObject> liberty = Optional.empty();
        List<JsonObject> others = new ArrayList<>();
        // The paired rounds' lines (PairedRounds) stay out of the tables of the one full run.
        PairedRounds paired = PairedRounds.of(lines);
        for (JsonObject o : lines) {
            if (o.containsKey(PairedRounds.PAIR)) {
                continue;
            }
            if (o.containsKey("peer") && o.containsKey("results")) {
                peers.addAll(peerPoints(o));
            } else if (o.getBoolean("diagnostic", false)) {
                // A run slowed by its own instruments (ScriptCosts): not a figure to compare.
            } else if ("redtask".equals(o.getString("system", "")) && o.containsKey("e2e_jobs_per_s")) {
                Point p =
                        new Point("redtask", o.getString("mode"), o.getInt("concurrency"), number(o, "e2e_jobs_per_s"));
                if (o.getBoolean("sweep", false)) {
                    sweep.add(p);
                } else if (p.mode().startsWith(LIBERTY_MODE)) {
                    liberty = Optional.of(o);
                } else if (p.mode().startsWith("cluster-")) {
                    others.add(o);
                } else {
                    redtask.add(p);
                }
            } else if (o.containsKey("system")) {
                others.add(o);
            }
        }
        List<String> ratios = new ArrayList<>();
        for (Point peer : peers) {
            find(redtask, sweep, peer.mode(), peer.concurrency())
                    .ifPresent(r -> ratios.add(String.format(
                            Locale.ROOT,
                            "{\"ratio\":\"redtask/%s\",\"mode\":\"%s\",\"concurrency\":%d,\"redtask\":%.0f,"
                                    + "\"peer\":%.0f,\"value\":%.2f}",
                            peer.system(),
                            peer.mode(),
                            peer.concurrency(),
                            r.perSecond(),
                            peer.perSecond(),
                            r.perSecond() / peer.perSecond())));
        }
        liberty.ifPresent(l -> {
            String mode = l.getString("mode").substring(LIBERTY_MODE.length());
            int conc = l.getInt("concurrency");
            find(redtask, sweep, mode, conc).ifPresent(r -> {
                double value = number(l, "e2e_jobs_per_s") / r.perSecond();
                ratios.add(String.format(
                        Locale.ROOT,
                        "{\"ratio\":\"liberty/inprocess\",\"mode\":\"%s\",\"concurrency\":%d,\"liberty\":%.0f,"
                                + "\"inprocess\":%.0f,\"value\":%.2f,\"target\":%.2f,\"met\":%b}",
                        mode,
                        conc,
                        number(l, "e2e_jobs_per_s"),
                        r.perSecond(),
                        value,
                        LIBERTY_TARGET,
                        value >= LIBERTY_TARGET));
            });
        });
        ratios.addAll(paired.ratioLines());
        ratios.forEach(System.out::println);
        Files.writeString(out.resolve("ratios.jsonl"), String.join("\n", ratios) + "\n", StandardCharsets.UTF_8);
        if (!sweep.isEmpty()) {
            List<Point> marks = new ArrayList<>(
                    peers.stream().filter(p -> p.mode().equals("bulk")).toList());
            liberty.ifPresent(l -> marks.add(
                    new Point("redtask in Liberty", "bulk", l.getInt("concurrency"), number(l, "e2e_jobs_per_s"))));
            Files.writeString(out.resolve("sweep.svg"), SweepChart.svg(sweep, marks), StandardCharsets.UTF_8);
        }
        Files.writeString(
                out.resolve("summary.md"),
                SummaryMarkdown.of(redtask, sweep, peers, liberty, paired, others),
                StandardCharsets.UTF_8);
    }

    /** The figures of one line of run-peers.sh (one peer, its workloads). */
    static List<Point> peerPoints(JsonObject o) {
        List<Point> points = new ArrayList<>();
        String peer = o.getString("peer");
        for (JsonValue v : o.getJsonArray("results")) {
            JsonObject r = v.asJsonObject();
            if (r.containsKey("e2e_jobs_per_s")) {
                points.add(new Point(peer, r.getString("mode"), r.getInt("concurrency"), number(r, "e2e_jobs_per_s")));
            }
        }
        return points;
    }

    /** RedTask's figure for a workload: the in-process run, else the sweep's. */
    private static Optional<Point> find(List<Point> redtask, List<Point> sweep, String mode, int conc) {
        return redtask.stream()
                .filter(p -> p.mode().equals(mode) && p.concurrency() == conc)
                .findFirst()
                .or(() -> sweep.stream()
                        .filter(p -> p.mode().equals(mode) && p.concurrency() == conc)
                        .findFirst());
    }

    static double number(JsonObject o, String key) {
        JsonValue v = o.get(key);
        return v instanceof JsonNumber n ? n.doubleValue() : Double.NaN;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}

package io.redtask.bench;

import jakarta.json.Json;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The last step of {@code scripts/bench}: reads every JSON line of one run (RedTask's, the
 * in-Liberty one, the peers'), prints the ratio lines (RedTask / each peer per workload, in-Liberty
 * / in-process), and writes the worker-sweep chart ({@link SweepChart}) and a Markdown summary for
 * the README.
 *
 * <p>Arguments: the run's JSON lines file, the output directory.
 */
public final class Report {

    /** One throughput figure: who, which mode, how many workers, tasks/s. */
    record Point(String system, String mode, int concurrency, double perSecond) {}

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
        for (JsonObject o : lines) {
            if (o.containsKey("peer") && o.containsKey("results")) {
                String peer = o.getString("peer");
                for (JsonValue v : o.getJsonArray("results")) {
                    JsonObject r = v.asJsonObject();
                    if (r.containsKey("e2e_jobs_per_s")) {
                        peers.add(new Point(
                                peer, r.getString("mode"), r.getInt("concurrency"), number(r, "e2e_jobs_per_s")));
                    }
                }
            } else if ("redtask".equals(o.getString("system", "")) && o.containsKey("e2e_jobs_per_s")) {
                Point p = new Point(
                        "redtask", o.getString("mode"), o.getInt("concurrency"), number(o, "e2e_jobs_per_s"));
                if (o.getBoolean("sweep", false)) {
                    sweep.add(p);
                } else if (p.mode().startsWith("liberty-")) {
                    liberty = Optional.of(o);
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
            String mode = l.getString("mode").substring("liberty-".length());
            int conc = l.getInt("concurrency");
            find(redtask, sweep, mode, conc).ifPresent(r -> {
                double value = number(l, "e2e_jobs_per_s") / r.perSecond();
                ratios.add(String.format(
                        Locale.ROOT,
                        "{\"ratio\":\"liberty/inprocess\",\"mode\":\"%s\",\"concurrency\":%d,\"liberty\":%.0f,"
                                + "\"inprocess\":%.0f,\"value\":%.2f,\"target\":0.70,\"met\":%b}",
                        mode,
                        conc,
                        number(l, "e2e_jobs_per_s"),
                        r.perSecond(),
                        value,
                        value >= 0.70));
            });
        });
        ratios.forEach(System.out::println);
        Files.writeString(out.resolve("ratios.jsonl"), String.join("\n", ratios) + "\n", StandardCharsets.UTF_8);
        if (!sweep.isEmpty()) {
            List<Point> marks = new ArrayList<>(peers.stream()
                    .filter(p -> p.mode().equals("bulk"))
                    .toList());
            liberty.ifPresent(l -> marks.add(
                    new Point("redtask in Liberty", "bulk", l.getInt("concurrency"), number(l, "e2e_jobs_per_s"))));
            Files.writeString(
                    out.resolve("sweep.svg"), SweepChart.svg(sweep, marks), StandardCharsets.UTF_8);
        }
        Files.writeString(
                out.resolve("summary.md"), markdown(redtask, sweep, peers, liberty, others), StandardCharsets.UTF_8);
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

    private static double number(JsonObject o, String key) {
        JsonValue v = o.get(key);
        return v instanceof JsonNumber n ? n.doubleValue() : Double.NaN;
    }

    /** The README's tables, filled in from this run. */
    private static String markdown(
            List<Point> redtask,
            List<Point> sweep,
            List<Point> peers,
            Optional<JsonObject> liberty,
            List<JsonObject> others) {
        StringBuilder md = new StringBuilder();
        List<String> peerNames =
                peers.stream().map(Point::system).distinct().toList();
        Map<String, Point> byWorkload = new LinkedHashMap<>();
        redtask.forEach(p -> byWorkload.putIfAbsent(p.mode() + " c" + p.concurrency(), p));
        if (!byWorkload.isEmpty()) {
            md.append("| workload (e2e tasks/s) | RedTask");
            peerNames.forEach(p -> md.append(" | ").append(p));
            peerNames.forEach(p -> md.append(" | RedTask / ").append(p));
            md.append(" |\n|---|---:");
            peerNames.forEach(p -> md.append("|---:"));
            peerNames.forEach(p -> md.append("|---:"));
            md.append("|\n");
            byWorkload.forEach((workload, r) -> {
                md.append("| ").append(workload).append(" | ").append(fmt(r.perSecond()));
                List<Double> mine = new ArrayList<>();
                for (String peer : peerNames) {
                    Optional<Point> p = peers.stream()
                            .filter(x -> x.system().equals(peer)
                                    && x.mode().equals(r.mode())
                                    && x.concurrency() == r.concurrency())
                            .findFirst();
                    md.append(" | ").append(p.map(x -> fmt(x.perSecond())).orElse("-"));
                    mine.add(p.map(x -> r.perSecond() / x.perSecond()).orElse(Double.NaN));
                }
                mine.forEach(v -> md.append(" | ").append(v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2f", v)));
                md.append(" |\n");
            });
            md.append('\n');
        }
        if (!sweep.isEmpty()) {
            md.append("| workers (bulk) |");
            sweep.forEach(p -> md.append(' ').append(p.concurrency()).append(" |"));
            md.append("\n|---|");
            sweep.forEach(p -> md.append("---:|"));
            md.append("\n| RedTask e2e tasks/s |");
            sweep.forEach(p -> md.append(' ').append(fmt(p.perSecond())).append(" |"));
            md.append("\n\n");
        }
        liberty.ifPresent(l -> md.append("In Liberty (")
                .append(l.getString("mode"))
                .append(", ")
                .append(l.getInt("concurrency"))
                .append(" workers): ")
                .append(fmt(number(l, "e2e_jobs_per_s")))
                .append(" tasks/s\n\n"));
        others.forEach(o -> md.append("    ").append(o).append('\n'));
        return md.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}

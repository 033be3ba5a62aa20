package io.redtask.bench;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.redtask.bench.Report.number;

/**
 * The headline ratios taken from paired rounds ({@code PAIRS} in {@code scripts/bench}): in each
 * round RedTask is measured in a fresh JVM and the other side (a peer, or the same engine in
 * Liberty) right after it, so that both see the machine in about the same state. On the 2-core VM
 * the bench was written on, one workload's figure moved 10-30 % from one minute to the next; a
 * ratio of two single runs minutes apart carried that noise whole. Each round gives one ratio;
 * the reported figure is their median, beside their range and every round's figures.
 *
 * <p>Lines of a round carry {@code "round"} and {@code "pair"} ({@code "peers"} or
 * {@code "liberty"}): RedTask's in-process lines, a peer's result line, the in-Liberty line.
 */
final class PairedRounds {

    /** One comparison: what RedTask measured and what the other side measured, round by round. */
    record Comparison(String other, String mode, int concurrency, List<Double> redtask, List<Double> others) {

        /** Each round's ratio, RedTask (or Liberty) over the other side's figure, in round order. */
        List<Double> ratios() {
            List<Double> r = new ArrayList<>();
            for (int i = 0; i < redtask.size(); i++) {
                r.add(redtask.get(i) / others.get(i));
            }
            return r;
        }

        double median() {
            return PairedRounds.median(ratios());
        }
    }

    private final List<Comparison> peers = new ArrayList<>();
    private final List<Comparison> liberty = new ArrayList<>();

    private PairedRounds() {}

    /** The comparisons in the lines of one run (none when it had no paired rounds). */
    static PairedRounds of(List<JsonObject> lines) {
        // round -> "mode/concurrency" -> tasks/s, per side.
        Map<Integer, Map<String, Double>> inprocessForPeers = new TreeMap<>();
        Map<Integer, Map<String, Double>> inprocessForLiberty = new TreeMap<>();
        Map<Integer, Map<String, Double>> inLiberty = new TreeMap<>();
        // peer -> round -> "mode/concurrency" -> tasks/s.
        Map<String, Map<Integer, Map<String, Double>>> peerRounds = new TreeMap<>();
        for (JsonObject o : lines) {
            if (!o.containsKey("round") || o.getBoolean("diagnostic", false)) {
                continue;
            }
            int round = o.getInt("round");
            String pair = o.getString("pair", "");
            if (o.containsKey("peer") && o.containsKey("results")) {
                for (JsonValue v : o.getJsonArray("results")) {
                    JsonObject r = v.asJsonObject();
                    if (r.containsKey("e2e_jobs_per_s")) {
                        peerRounds
                                .computeIfAbsent(o.getString("peer"), k -> new TreeMap<>())
                                .computeIfAbsent(round, k -> new TreeMap<>())
                                .put(
                                        workload(r.getString("mode"), r.getInt("concurrency")),
                                        number(r, "e2e_jobs_per_s"));
                    }
                }
            } else if ("redtask".equals(o.getString("system", "")) && o.containsKey("e2e_jobs_per_s")) {
                String mode = o.getString("mode");
                double rate = number(o, "e2e_jobs_per_s");
                if (mode.startsWith("liberty-")) {
                    inLiberty
                            .computeIfAbsent(round, k -> new TreeMap<>())
                            .put(workload(mode.substring("liberty-".length()), o.getInt("concurrency")), rate);
                } else {
                    (pair.equals("liberty") ? inprocessForLiberty : inprocessForPeers)
                            .computeIfAbsent(round, k -> new TreeMap<>())
                            .put(workload(mode, o.getInt("concurrency")), rate);
                }
            }
        }
        PairedRounds p = new PairedRounds();
        peerRounds.forEach((peer, rounds) -> p.peers.addAll(compare(peer, inprocessForPeers, rounds)));
        p.liberty.addAll(compare("in-process", inLiberty, inprocessForLiberty));
        return p;
    }

    /** The comparisons of each workload both sides measured in the same rounds (rounds with one side only are left out). */
    private static List<Comparison> compare(
            String other, Map<Integer, Map<String, Double>> ours, Map<Integer, Map<String, Double>> theirs) {
        Map<String, Comparison> byWorkload = new TreeMap<>();
        ours.forEach((round, figures) -> {
            Map<String, Double> them = theirs.getOrDefault(round, Map.of());
            figures.forEach((workload, rate) -> {
                Double their = them.get(workload);
                if (their != null && their > 0 && rate > 0) {
                    String[] w = workload.split("/");
                    Comparison c = byWorkload.computeIfAbsent(
                            workload,
                            k -> new Comparison(
                                    other, w[0], Integer.parseInt(w[1]), new ArrayList<>(), new ArrayList<>()));
                    c.redtask().add(rate);
                    c.others().add(their);
                }
            });
        });
        return new ArrayList<>(byWorkload.values());
    }

    private static String workload(String mode, int concurrency) {
        return mode + "/" + concurrency;
    }

    List<Comparison> peers() {
        return peers;
    }

    List<Comparison> liberty() {
        return liberty;
    }

    boolean isEmpty() {
        return peers.isEmpty() && liberty.isEmpty();
    }

    /** One ratio line per comparison, as {@link Report} prints them, marked {@code "paired":true}. */
    List<String> ratioLines() {
        List<String> out = new ArrayList<>();
        for (Comparison c : peers) {
            out.add(String.format(
                    Locale.ROOT,
                    "{\"ratio\":\"redtask/%s\",\"mode\":\"%s\",\"concurrency\":%d,\"paired\":true,\"rounds\":%d,"
                            + "\"redtask\":%s,\"peer\":%s,\"values\":%s,\"value\":%.2f,\"min\":%.2f,\"max\":%.2f}",
                    c.other(),
                    c.mode(),
                    c.concurrency(),
                    c.ratios().size(),
                    numbers(c.redtask(), "%.0f"),
                    numbers(c.others(), "%.0f"),
                    numbers(c.ratios(), "%.2f"),
                    c.median(),
                    min(c.ratios()),
                    max(c.ratios())));
        }
        for (Comparison c : liberty) {
            out.add(String.format(
                    Locale.ROOT,
                    "{\"ratio\":\"liberty/inprocess\",\"mode\":\"%s\",\"concurrency\":%d,\"paired\":true,\"rounds\":%d,"
                            + "\"liberty\":%s,\"inprocess\":%s,\"values\":%s,\"value\":%.2f,\"min\":%.2f,\"max\":%.2f,"
                            + "\"target\":0.70,\"met\":%b}",
                    c.mode(),
                    c.concurrency(),
                    c.ratios().size(),
                    numbers(c.redtask(), "%.0f"),
                    numbers(c.others(), "%.0f"),
                    numbers(c.ratios(), "%.2f"),
                    c.median(),
                    min(c.ratios()),
                    max(c.ratios()),
                    c.median() >= 0.70));
        }
        return out;
    }

    /** The README's table of the paired rounds (empty when there were none). */
    String markdown() {
        if (isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        md.append("Paired rounds: each round measures RedTask in a fresh JVM, then the other side at once; the "
                + "ratio is the median of the rounds' ratios (one run's figures move 10-30 % here from one minute "
                + "to the next):\n\n"
                + "| workload | against | RedTask tasks/s, by round | theirs, by round | ratio, by round | median |\n"
                + "|---|---|---|---|---|---:|\n");
        for (Comparison c : peers) {
            row(md, c, c.other());
        }
        for (Comparison c : liberty) {
            row(md, c, "in Liberty / in-process");
        }
        md.append('\n');
        return md.toString();
    }

    private static void row(StringBuilder md, Comparison c, String against) {
        boolean inLiberty = against.startsWith("in Liberty");
        md.append(String.format(
                Locale.ROOT,
                "| %s, %d %s | %s | %s | %s | %s | **%.2f**%s |\n",
                c.mode(),
                c.concurrency(),
                c.concurrency() == 1 ? "worker" : "workers",
                against,
                c.redtask().stream().map(Report::fmt).collect(Collectors.joining(" / ")),
                c.others().stream().map(Report::fmt).collect(Collectors.joining(" / ")),
                c.ratios().stream()
                        .map(v -> String.format(Locale.ROOT, "%.2f", v))
                        .collect(Collectors.joining(" / ")),
                c.median(),
                inLiberty ? (c.median() >= 0.70 ? " (target 0.70: met)" : " (target 0.70: not met)") : ""));
    }

    /** The median: the middle value, or the mean of the middle two. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String numbers(List<Double> values, String format) {
        return values.stream()
                .map(v -> String.format(Locale.ROOT, format, v))
                .collect(Collectors.joining(",", "[", "]"));
    }
}

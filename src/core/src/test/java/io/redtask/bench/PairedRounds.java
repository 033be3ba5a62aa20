package io.redtask.bench;

import jakarta.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.redtask.bench.Report.number;

/**
 * The headline ratios taken from paired rounds ({@code PAIRS} in {@code scripts/bench}): in each
 * round RedTask is measured in a fresh JVM and the other side (a peer, or the same engine in
 * Liberty) back to back with it, the first side alternating from round to round, so that both
 * see the machine in about the same state. On the 2-core VM the bench was written on, one
 * workload's figure moved 10-30 % from one minute to the next; a ratio of two single runs
 * minutes apart carried that noise whole. Each round gives one ratio; the reported figure is
 * their median, beside their range and every round's figures.
 *
 * <p>Lines of a round carry {@value #PAIR} ({@code "peers"} or {@code "liberty"}) and
 * {@code "round"}: RedTask's in-process lines, a peer's result line, the in-Liberty line.
 */
final class PairedRounds {

    /** The key that marks a paired round's line, naming its kind. */
    static final String PAIR = "pair";

    /**
     * One comparison of a workload, round by round: the first side's figures over the second's
     * (RedTask over a peer; in Liberty over in-process).
     */
    record Comparison(String other, String mode, int concurrency, List<Double> first, List<Double> second) {

        /** Each round's ratio, first over second, in round order. */
        List<Double> ratios() {
            List<Double> r = new ArrayList<>();
            for (int i = 0; i < first.size(); i++) {
                r.add(first.get(i) / second.get(i));
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
            if (!o.containsKey(PAIR) || !o.containsKey("round") || o.getBoolean("diagnostic", false)) {
                continue;
            }
            int round = o.getInt("round");
            if (o.containsKey("peer") && o.containsKey("results")) {
                for (Report.Point p : Report.peerPoints(o)) {
                    peerRounds
                            .computeIfAbsent(p.system(), k -> new TreeMap<>())
                            .computeIfAbsent(round, k -> new TreeMap<>())
                            .put(workload(p.mode(), p.concurrency()), p.perSecond());
                }
            } else if ("redtask".equals(o.getString("system", ""))
                    && o.containsKey("e2e_jobs_per_s")
                    // A run whose tasks did not all finish in time has no rate worth comparing.
                    && o.getBoolean("finished", true)) {
                String mode = o.getString("mode");
                double rate = number(o, "e2e_jobs_per_s");
                if (mode.startsWith(Report.LIBERTY_MODE)) {
                    inLiberty
                            .computeIfAbsent(round, k -> new TreeMap<>())
                            .put(workload(mode.substring(Report.LIBERTY_MODE.length()), o.getInt("concurrency")), rate);
                } else {
                    (o.getString(PAIR).equals("liberty") ? inprocessForLiberty : inprocessForPeers)
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

    /**
     * The comparisons of each workload both sides measured in the same rounds; a round with one
     * side only (the other failed) is left out.
     */
    private static List<Comparison> compare(
            String other, Map<Integer, Map<String, Double>> firsts, Map<Integer, Map<String, Double>> seconds) {
        Map<String, Comparison> byWorkload = new TreeMap<>();
        firsts.forEach((round, figures) -> {
            Map<String, Double> them = seconds.getOrDefault(round, Map.of());
            figures.forEach((workload, rate) -> {
                Double their = them.get(workload);
                if (their != null && their > 0 && rate > 0) {
                    String[] w = workload.split("/");
                    Comparison c = byWorkload.computeIfAbsent(
                            workload,
                            k -> new Comparison(
                                    other, w[0], Integer.parseInt(w[1]), new ArrayList<>(), new ArrayList<>()));
                    c.first().add(rate);
                    c.second().add(their);
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

    /**
     * One ratio line per comparison, marked {@code "paired":true}: every round's figures and
     * ratio ({@code *_by_round}), and their {@code median}, {@code min} and {@code max}.
     */
    List<String> ratioLines() {
        List<String> out = new ArrayList<>();
        for (Comparison c : peers) {
            out.add(ratioLine(c, "redtask/" + c.other(), "redtask", "peer", ""));
        }
        for (Comparison c : liberty) {
            out.add(ratioLine(
                    c,
                    "liberty/inprocess",
                    "liberty",
                    "inprocess",
                    String.format(
                            Locale.ROOT,
                            ",\"target\":%.2f,\"met\":%b",
                            Report.LIBERTY_TARGET,
                            c.median() >= Report.LIBERTY_TARGET)));
        }
        return out;
    }

    /** One ratio line: {@code first} and {@code second} name the two sides' by-round figures. */
    private static String ratioLine(Comparison c, String ratio, String first, String second, String extra) {
        return String.format(
                Locale.ROOT,
                "{\"ratio\":\"%s\",\"mode\":\"%s\",\"concurrency\":%d,\"paired\":true,\"rounds\":%d,"
                        + "\"%s_by_round\":%s,\"%s_by_round\":%s,\"ratio_by_round\":%s,\"median\":%.2f,\"min\":%.2f,"
                        + "\"max\":%.2f%s}",
                ratio,
                c.mode(),
                c.concurrency(),
                c.first().size(),
                first,
                numbers(c.first(), "%.0f"),
                second,
                numbers(c.second(), "%.0f"),
                numbers(c.ratios(), "%.2f"),
                c.median(),
                min(c.ratios()),
                max(c.ratios()),
                extra);
    }

    /** The README's tables of the paired rounds (empty when there were none). */
    String markdown() {
        StringBuilder md = new StringBuilder();
        if (!peers.isEmpty()) {
            md.append("Paired rounds against the peers: each round measures RedTask in a fresh JVM and the peers "
                    + "back to back, the first side alternating; the ratio is the median of the rounds' ratios:\n\n"
                    + "| workload | peer | RedTask tasks/s, by round | the peer's, by round | ratio, by round | median |\n"
                    + "|---|---|---|---|---|---:|\n");
            for (Comparison c : peers) {
                row(md, c, c.other() + " | ", "");
            }
            md.append('\n');
        }
        if (!liberty.isEmpty()) {
            md.append("Paired rounds in Liberty: each round measures a fresh in-process JVM and the running Liberty "
                    + "server back to back, the first side alternating; the ratio is the median of the rounds' "
                    + "ratios:\n\n"
                    + "| workload | in Liberty, by round | in-process, by round | ratio, by round | median |\n"
                    + "|---|---|---|---|---:|\n");
            for (Comparison c : liberty) {
                row(
                        md,
                        c,
                        "",
                        String.format(
                                Locale.ROOT,
                                " (target %.2f: %s)",
                                Report.LIBERTY_TARGET,
                                c.median() >= Report.LIBERTY_TARGET ? "met" : "not met"));
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static void row(StringBuilder md, Comparison c, String against, String verdict) {
        Function<List<Double>, String> rates =
                values -> values.stream().map(Report::fmt).collect(Collectors.joining(" / "));
        md.append(String.format(
                Locale.ROOT,
                "| %s, %d %s | %s%s | %s | %s | **%.2f**%s |\n",
                c.mode(),
                c.concurrency(),
                c.concurrency() == 1 ? "worker" : "workers",
                against,
                rates.apply(c.first()),
                rates.apply(c.second()),
                c.ratios().stream()
                        .map(v -> String.format(Locale.ROOT, "%.2f", v))
                        .collect(Collectors.joining(" / ")),
                c.median(),
                verdict));
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

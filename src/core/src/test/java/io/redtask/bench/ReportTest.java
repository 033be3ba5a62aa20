package io.redtask.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures scripts/bench derives from one run's lines: ratios, the chart, the summary. */
class ReportTest {

    @Test
    void ratiosChartAndSummaryComeFromTheRunsLines(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run.jsonl");
        Files.write(
                run,
                List.of(
                        "{\"system\":\"machine\",\"cpus\":2,\"jit_warmup\":20000,\"warmup\":2000}",
                        "{\"system\":\"redtask\",\"mode\":\"warmup\",\"where\":\"inprocess\",\"tasks_per_round\":20000,"
                                + "\"bulk_rounds\":4,\"single_rounds\":2}",
                        "{\"system\":\"redtask\",\"mode\":\"warmup\",\"where\":\"liberty\",\"tasks_per_round\":20000,"
                                + "\"bulk_rounds\":8,\"settled\":false}",
                        "{\"system\":\"redtask\",\"mode\":\"bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":10000}",
                        "{\"system\":\"redtask\",\"mode\":\"bulk\",\"concurrency\":1,\"e2e_jobs_per_s\":4000,\"sweep\":true}",
                        "{\"system\":\"redtask\",\"mode\":\"bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":9000,\"sweep\":true}",
                        "{\"system\":\"redtask\",\"mode\":\"liberty-bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":6500}",
                        "{\"system\":\"redtask\",\"mode\":\"cluster-bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":7000,"
                                + "\"masters\":3,\"shards\":1}",
                        "{\"peer\":\"bullmq\",\"results\":[{\"mode\":\"bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":5000},"
                                + "{\"mode\":\"single\",\"concurrency\":8,\"e2e_jobs_per_s\":3000}]}",
                        "not json: ignored"),
                StandardCharsets.UTF_8);
        Path out = dir.resolve("out");

        Report.main(new String[] {run.toString(), out.toString()});

        List<String> ratios = Files.readAllLines(out.resolve("ratios.jsonl"));
        assertEquals(
                List.of(
                        "{\"ratio\":\"redtask/bullmq\",\"mode\":\"bulk\",\"concurrency\":8,\"redtask\":10000,"
                                + "\"peer\":5000,\"value\":2.00}",
                        "{\"ratio\":\"liberty/inprocess\",\"mode\":\"bulk\",\"concurrency\":8,\"liberty\":6500,"
                                + "\"inprocess\":10000,\"value\":0.65,\"target\":0.70,\"met\":false}"),
                ratios,
                "no ratio for single c8: RedTask has no single figure in this run");
        Document svg = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(out.resolve("sweep.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        assertEquals(2, svg.getElementsByTagName("circle").getLength(), "one dot per sweep point");
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("| bulk, 8 workers | 10,000 | 5,000 | 2.00 |"), summary);
        assertTrue(
                summary.contains(
                        "the JIT compiles for under 10 % of a round (a JVM compiles its hot paths after thousands of calls): inprocess 4 "
                                + "of bulk and 2 of single work; liberty 8 of bulk work (not settled when the round limit was reached); then 2000 before each "
                                + "measurement"),
                summary);
        assertTrue(summary.contains("| RedTask tasks/s | 4,000 | 9,000 |"), summary);
        assertTrue(summary.contains("6,500 tasks/s against 10,000 in-process: 65 %"), summary);
        assertTrue(summary.contains("Redis Cluster (3 masters), bulk, 8 workers, 1 shard(s): 7,000 tasks/s."), summary);
    }

    @Test
    void pairedRoundsGiveTheMedianOfEachRoundsRatioAndStayOutOfTheTables(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run.jsonl");
        Files.write(
                run,
                List.of(
                        "{\"system\":\"redtask\",\"mode\":\"bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":10000}",
                        "{\"peer\":\"bullmq\",\"results\":[{\"mode\":\"bulk\",\"concurrency\":8,\"e2e_jobs_per_s\":5000}]}",
                        // Round 1 on a fast machine, round 2 slow, round 3 between. The ratios
                        // are 2.0, 2.5 and 1.2: their median is 2.0, their mean 1.9, and the
                        // medians of each side alone would give 12,000 / 10,000 = 1.2.
                        paired("peers", 1, "\"system\":\"redtask\",\"mode\":\"warmup\",\"bulk_rounds\":5"),
                        redtask("peers", 1, "bulk", 20000),
                        redtask("peers", 1, "single", 9000),
                        peer(1, "bullmq", "bulk", 10000),
                        peer(1, "bee-queue", "single", 10000),
                        redtask("peers", 2, "bulk", 10000),
                        peer(2, "bullmq", "bulk", 4000),
                        // A peer that failed in this round: nothing to compare with.
                        paired("peers", 2, "\"peer\":\"bee-queue\",\"error\":\"no output (rc=124)\""),
                        redtask("peers", 3, "bulk", 12000),
                        peer(3, "bullmq", "bulk", 10000),
                        // A round whose peer side is missing compares nothing; nor does a run
                        // whose tasks did not all finish.
                        redtask("peers", 4, "bulk", 99000),
                        paired(
                                "peers",
                                5,
                                "\"system\":\"redtask\",\"mode\":\"bulk\",\"concurrency\":8,\"finished\":false,"
                                        + "\"e2e_jobs_per_s\":1000"),
                        peer(5, "bullmq", "bulk", 10000),
                        // A peer's line cut short (it crashed): left out, the report goes on.
                        "{\"round\":6,\"pair\":\"peers\",\"peer\":\"bullmq\",\"res",
                        // In Liberty / in-process: 0.80, 0.62 and 0.90 (median 0.80, mean 0.77).
                        redtask("liberty", 1, "bulk", 20000),
                        redtask("liberty", 1, "liberty-bulk", 16000),
                        redtask("liberty", 2, "liberty-bulk", 6200),
                        redtask("liberty", 2, "bulk", 10000),
                        redtask("liberty", 3, "bulk", 10000),
                        redtask("liberty", 3, "liberty-bulk", 9000)),
                StandardCharsets.UTF_8);
        Path out = dir.resolve("out");

        Report.main(new String[] {run.toString(), out.toString()});

        List<String> ratios = Files.readAllLines(out.resolve("ratios.jsonl"));
        assertEquals(
                List.of(
                        "{\"ratio\":\"redtask/bullmq\",\"mode\":\"bulk\",\"concurrency\":8,\"redtask\":10000,"
                                + "\"peer\":5000,\"value\":2.00}",
                        "{\"ratio\":\"redtask/bee-queue\",\"mode\":\"single\",\"concurrency\":8,\"paired\":true,"
                                + "\"rounds\":1,\"redtask_by_round\":[9000],\"peer_by_round\":[10000],"
                                + "\"ratio_by_round\":[0.90],\"median\":0.90,\"min\":0.90,\"max\":0.90}",
                        "{\"ratio\":\"redtask/bullmq\",\"mode\":\"bulk\",\"concurrency\":8,\"paired\":true,\"rounds\":3,"
                                + "\"redtask_by_round\":[20000,10000,12000],\"peer_by_round\":[10000,4000,10000],"
                                + "\"ratio_by_round\":[2.00,2.50,1.20],\"median\":2.00,\"min\":1.20,\"max\":2.50}",
                        "{\"ratio\":\"liberty/inprocess\",\"mode\":\"bulk\",\"concurrency\":8,\"paired\":true,"
                                + "\"rounds\":3,\"liberty_by_round\":[16000,6200,9000],\"inprocess_by_round\":[20000,10000,10000],"
                                + "\"ratio_by_round\":[0.80,0.62,0.90],\"median\":0.80,\"min\":0.62,\"max\":0.90,"
                                + "\"target\":0.70,\"met\":true}"),
                ratios,
                "the one full run's ratio first; then the paired rounds' (rounds 2 of bee-queue, 4, 5 and 6 left out)");
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("| bulk, 8 workers | 10,000 | 5,000 | 2.00 |"), "the main table: " + summary);
        assertTrue(
                summary.contains("| bulk, 8 workers | bullmq | 20,000 / 10,000 / 12,000 | 10,000 / 4,000 / 10,000 | "
                        + "2.00 / 2.50 / 1.20 | **2.00** |"),
                summary);
        assertTrue(
                summary.contains("| bulk, 8 workers | 16,000 / 6,200 / 9,000 | 20,000 / 10,000 / 10,000 | "
                        + "0.80 / 0.62 / 0.90 | **0.80** (target 0.70: met) |"),
                summary);
    }

    @Test
    void theMedianIsTheMiddleValueOrTheMeanOfTheMiddleTwo() {
        assertEquals(2.0, PairedRounds.median(List.of(3.0, 1.0)));
        assertEquals(2.0, PairedRounds.median(List.of(5.0, 2.0, 1.0)));
        assertTrue(Double.isNaN(PairedRounds.median(List.of())));
    }

    /** A line of paired round {@code round} of kind {@code pair} with the fields {@code fields}. */
    private static String paired(String pair, int round, String fields) {
        return String.format("{\"round\":%d,\"pair\":\"%s\",%s}", round, pair, fields);
    }

    /** RedTask's line of a paired round: {@code mode} at 8 workers. */
    private static String redtask(String pair, int round, String mode, int perSecond) {
        return paired(
                pair,
                round,
                String.format(
                        "\"system\":\"redtask\",\"mode\":\"%s\",\"concurrency\":8,\"e2e_jobs_per_s\":%d",
                        mode, perSecond));
    }

    /** A peer's line of a paired round against the peers: one result, {@code mode} at 8 workers. */
    private static String peer(int round, String peer, String mode, int perSecond) {
        return paired(
                "peers",
                round,
                String.format(
                        "\"peer\":\"%s\",\"results\":[{\"mode\":\"%s\",\"concurrency\":8,\"e2e_jobs_per_s\":%d}]",
                        peer, mode, perSecond));
    }
}

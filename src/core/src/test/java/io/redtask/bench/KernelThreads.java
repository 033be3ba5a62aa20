package io.redtask.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU the kernel's own threads (flagged PF_KTHREAD) used over a measurement, read from
 * {@code /proc}: on a small virtual machine one of them can take a core for tens of milliseconds
 * at a time (measured here: {@code kdamond.0}, the kernel's DAMON reclaim, about 25-30 ms every
 * 0.54 s), which no tuning of RedTask's shows but every tail latency does. Empty where there is no
 * {@code /proc}.
 */
final class KernelThreads {

    /** The task flag of a kernel thread (include/linux/sched.h). */
    private static final long PF_KTHREAD = 0x00200000;

    /** One kernel thread's name (as it is now: a kworker's says the work it runs) and CPU ticks. */
    private record Use(String name, long ticks) {}

    private final Map<String, Use> atStart;

    private KernelThreads(Map<String, Use> atStart) {
        this.atStart = atStart;
    }

    /** The counters now. */
    static KernelThreads begin() {
        return new KernelThreads(read());
    }

    /**
     * {@code ,"kernel_threads_cpu_ms":x,"busiest_kernel_thread":"name","busiest_kernel_thread_cpu_ms":y}
     * since begin, or "" where /proc cannot be read.
     */
    String json() {
        Map<String, Use> now = read();
        if (now.isEmpty() || atStart.isEmpty()) {
            return "";
        }
        long total = 0;
        String busiest = "";
        long most = -1;
        for (Map.Entry<String, Use> e : now.entrySet()) {
            Use before = atStart.get(e.getKey()); // by pid
            if (before == null) {
                continue; // started meanwhile: not all its ticks are from this measurement
            }
            long used = e.getValue().ticks() - before.ticks();
            total += used;
            if (used > most) {
                most = used;
                busiest = e.getValue().name();
            }
        }
        // Clock ticks of 10 ms (USER_HZ is 100 on Linux).
        return String.format(
                Locale.ROOT,
                ",\"kernel_threads_cpu_ms\":%d,\"busiest_kernel_thread\":\"%s\",\"busiest_kernel_thread_cpu_ms\":%d",
                total * 10,
                busiest.replaceAll("[\"\\\\]", ""),
                most * 10);
    }

    /** The kernel threads by pid; empty without /proc. */
    private static Map<String, Use> read() {
        Map<String, Use> out = new HashMap<>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(d -> {
                        try {
                            String pid = d.getFileName().toString();
                            String stat = Files.readString(d.resolve("stat"));
                            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                            String[] f =
                                    stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            // f[6] holds the flags (PF_KTHREAD: a kernel thread, whatever pid
                            // namespace this runs in); f[11], f[12] are utime and stime.
                            if ((Long.parseLong(f[6]) & PF_KTHREAD) != 0) {
                                out.put(pid, new Use(name, Long.parseLong(f[11]) + Long.parseLong(f[12])));
                            }
                        } catch (IOException | RuntimeException e) {
                            // A process that ended meanwhile, or one this user may not read.
                        }
                    });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }
}

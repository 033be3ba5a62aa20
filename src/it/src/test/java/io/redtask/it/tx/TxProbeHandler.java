package io.redtask.it.tx;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts its runs per marker and notes when each first started (nanoTime), in the server. */
@ApplicationScoped
@TaskType(TxProbeHandler.TYPE)
public class TxProbeHandler implements TaskHandler<String, String> {

    public static final String TYPE = "it-tx-probe";
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    static final Map<String, Long> STARTED = new ConcurrentHashMap<>();

    @Override
    public String handle(String marker, TaskContext context) {
        STARTED.putIfAbsent(marker, System.nanoTime());
        RUNS.computeIfAbsent(marker, k -> new AtomicInteger()).incrementAndGet();
        return marker;
    }

    /** How often the task of {@code marker} ran. */
    public static int runs(String marker) {
        AtomicInteger n = RUNS.get(marker);
        return n == null ? 0 : n.get();
    }

    /** When the task of {@code marker} first started (nanoTime), or 0. */
    public static long started(String marker) {
        return STARTED.getOrDefault(marker, 0L);
    }
}

package io.redtask.it;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code it-wedged}: a handler stuck in code that ignores interrupts (a library blocked in I/O),
 * until the file named in its payload exists or {@code maxMs} has passed. Its timeout interrupts
 * it in vain: the worker slot stays held, which is what liveness reports.
 */
@ApplicationScoped
@TaskType(WedgedHandler.TYPE)
public class WedgedHandler implements TaskHandler<WedgedHandler.Payload, Map<String, Object>> {

    static final String TYPE = "it-wedged";

    /**
     * @param file  the file whose existence lets it return
     * @param maxMs the longest it stays, so that a failed test does not leave threads stuck
     */
    public record Payload(String file, long maxMs) {}

    @Override
    public Map<String, Object> handle(Payload payload, TaskContext context) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(payload.maxMs());
        int interrupts = 0;
        while (!Files.exists(Paths.get(payload.file())) && System.nanoTime() < end) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            if (Thread.interrupted()) {
                interrupts++; // ignored, as the stuck code it stands for would
            }
        }
        return Map.of("interrupts", interrupts);
    }
}

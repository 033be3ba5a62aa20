package io.redtask.demo;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/** {@code sleep}: {@code {"ms": n}} waits n milliseconds, then returns {@code {"slept": n}}. */
@ApplicationScoped
@TaskType("sleep")
public class SleepHandler implements TaskHandler<SleepHandler.Payload, Map<String, Long>> {

    /** @param ms how long to sleep, 0 to 3,600,000 */
    public record Payload(long ms) {
    }

    @Override
    public Map<String, Long> handle(Payload payload, TaskContext context) throws InterruptedException {
        long ms = payload == null ? 0 : payload.ms();
        if (ms < 0 || ms > 3_600_000) {
            throw new IllegalArgumentException("ms must be between 0 and 3600000, was " + ms);
        }
        Thread.sleep(ms);
        return Map.of("slept", ms);
    }
}

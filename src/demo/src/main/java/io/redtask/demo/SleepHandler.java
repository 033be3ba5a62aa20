package io.redtask.demo;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.bind.annotation.JsonbTypeDeserializer;

import java.util.Map;

/** {@code sleep}: {@code {"ms": n}} waits n milliseconds, then returns {@code {"slept": n}}. */
@ApplicationScoped
@TaskType("sleep")
public class SleepHandler implements TaskHandler<SleepHandler.Payload, Map<String, Long>> {

    /** The longest sleep: enough for any demo, too short to park a worker thread for an hour. */
    public static final long MAX_MS = 60_000;

    /**
     * What {@code sleep} is asked to do. The engine reads the payload at submit time, so a value
     * out of range is refused then (400 naming {@code payload}) rather than failing at run time.
     *
     * @param ms how long to sleep, 0 to {@link #MAX_MS}
     */
    @JsonbTypeDeserializer(SleepPayloadReader.class)
    public record Payload(long ms) {

        /** @throws IllegalArgumentException when {@code ms} is out of range */
        public Payload {
            if (ms < 0 || ms > MAX_MS) {
                throw new IllegalArgumentException(outOfRange(ms));
            }
        }

        /** The refusal of an {@code ms} out of range, {@code ms} shown as it was sent. */
        static String outOfRange(Object ms) {
            return "ms must be between 0 and " + MAX_MS + " (milliseconds), was " + ms;
        }
    }

    @Override
    public Map<String, Long> handle(Payload payload, TaskContext context) throws InterruptedException {
        long ms = payload == null ? 0 : payload.ms();
        Thread.sleep(ms);
        return Map.of("slept", ms);
    }
}

package io.redtask.demo;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * {@code fail}: {@code {"times": n}} fails its first n attempts and then succeeds; n &lt; 0 fails
 * every attempt. Three attempts unless the submit sets {@code maxAttempts}.
 */
@ApplicationScoped
@TaskType(value = "fail", maxAttempts = 3)
public class FailHandler implements TaskHandler<FailHandler.Payload, Map<String, Integer>> {

    /** @param times how many attempts fail; negative for all */
    public record Payload(int times) {}

    @Override
    public Map<String, Integer> handle(Payload payload, TaskContext context) {
        int times = payload == null ? -1 : payload.times();
        if (times < 0 || context.attempt() <= times) {
            throw new DemoFailure("fail handler: attempt " + context.attempt() + " fails as asked ("
                    + (times < 0 ? "always" : times + " times") + ")");
        }
        return Map.of("attempts", context.attempt());
    }

    /** The failure the demo asks for. */
    public static final class DemoFailure extends RuntimeException {
        public DemoFailure(String message) {
            super(message);
        }
    }
}

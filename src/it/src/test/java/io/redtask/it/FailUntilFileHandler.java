package io.redtask.it;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;

/**
 * {@code it-fail-until-file}: fails every attempt until the file named in its payload exists,
 * then succeeds with the attempt it succeeded on. The test and the server share the file system,
 * so a client-side test decides when the cause of the failures is "fixed", as an operator does
 * before retrying dead tasks.
 */
@ApplicationScoped
@TaskType(FailUntilFileHandler.TYPE)
public class FailUntilFileHandler implements TaskHandler<FailUntilFileHandler.Payload, Map<String, Object>> {

    static final String TYPE = "it-fail-until-file";

    /** @param file the file whose existence makes attempts succeed */
    public record Payload(String file) {}

    @Override
    public Map<String, Object> handle(Payload payload, TaskContext context) {
        if (!Files.exists(Paths.get(payload.file()))) {
            throw new IllegalStateException(
                    "attempt " + context.attempt() + ": " + payload.file() + " does not exist yet");
        }
        return Map.of("attempt", context.attempt(), "file", payload.file());
    }
}

package io.redtask.web;

import io.redtask.TaskStatus;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.time.Instant;

/** A task as the REST API shows it; every field is present, {@code null} when unknown. */
public final class TaskJson {

    private TaskJson() {}

    public static JsonObject of(TaskStatus s) {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("id", s.id())
                .add("type", s.type())
                .add("queue", s.queue())
                .add("state", s.state().wireName())
                .add("attempts", s.attempts())
                .add("maxAttempts", s.maxAttempts())
                .add("result", json(s.result()))
                .add("error", s.error() == null ? JsonValue.NULL : Json.createValue(s.error()));
        instant(b, "createdAt", s.createdAt());
        instant(b, "startedAt", s.startedAt());
        instant(b, "finishedAt", s.finishedAt());
        b.add("priority", s.priority());
        instant(b, "runAt", s.runAt());
        if (s.timeout() == null) {
            b.addNull("timeout");
        } else {
            b.add("timeout", s.timeout().toString());
        }
        b.add("idempotencyKey", s.idempotencyKey() == null ? JsonValue.NULL : Json.createValue(s.idempotencyKey()));
        if (s.submittedBy() != null) {
            b.add("submittedBy", s.submittedBy());
        }
        if (s.group() != null) {
            b.add("group", s.group());
        }
        if (s.traceId() != null) {
            // The trace the task belongs to (DESIGN.md: "traceId", 32 hex), from its submitter's span.
            b.add("traceId", s.traceId());
        }
        return b.build();
    }

    private static void instant(JsonObjectBuilder b, String name, Instant value) {
        if (value == null) {
            b.addNull(name);
        } else {
            b.add(name, format(value));
        }
    }

    /** Always with milliseconds ({@code 2030-01-01T09:00:00.000Z}), so every timestamp has one shape. */
    private static final java.time.format.DateTimeFormatter INSTANT = java.time.format.DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    public static String format(Instant instant) {
        return INSTANT.format(instant);
    }

    /** Stored JSON text as a JSON value (text that is not JSON is shown as a string). */
    public static JsonValue parse(String text) {
        return json(text);
    }

    private static JsonValue json(String text) {
        if (text == null) {
            return JsonValue.NULL;
        }
        try (JsonReader r = Json.createReader(new StringReader(text))) {
            return r.readValue();
        } catch (JsonException e) {
            // Results are written as JSON by RedTask; anything else is shown as text, not dropped.
            return Json.createValue(text);
        }
    }
}

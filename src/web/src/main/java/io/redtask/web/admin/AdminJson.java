package io.redtask.web.admin;

import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.QueueStats;
import io.redtask.RedTaskAdmin;
import io.redtask.web.TaskJson;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.time.Instant;

/**
 * The admin API's JSON, built by hand so every field is always present ({@code null} when
 * unknown), and the reading of its small request bodies, with errors that name the field.
 */
public final class AdminJson {

    private AdminJson() {}

    /** A queue: {@code name, ready, scheduled, running, dead, paused, concurrencyLimit, ...}. */
    public static JsonObject queue(QueueStats q) {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("name", q.name())
                .add("ready", q.ready())
                .add("scheduled", q.scheduled())
                .add("running", q.running())
                .add("dead", q.dead())
                .add("paused", q.paused());
        if (q.concurrencyLimit() == null) {
            b.addNull("concurrencyLimit");
        } else {
            b.add("concurrencyLimit", q.concurrencyLimit().intValue());
        }
        b.add("completed", q.completed())
                .add("failed", q.failed())
                .add("died", q.died())
                .add("completedLastMinute", q.completedLastMinute())
                .add("failedLastMinute", q.failedLastMinute());
        if (q.nextWaiting() == null) {
            b.addNull("nextWaitingMs");
        } else {
            b.add("nextWaitingMs", q.nextWaiting().toMillis());
        }
        return b.build();
    }

    /** A server as its last heartbeat described it. */
    public static JsonObject node(NodeInfo n) {
        JsonArrayBuilder queues = Json.createArrayBuilder();
        if (n.queues() != null) {
            n.queues().forEach(queues::add);
        }
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("nodeId", n.nodeId())
                .add("queues", queues)
                .add("concurrency", n.concurrency())
                .add("maxConcurrency", n.maxConcurrency())
                .add("busy", n.busy())
                .add("paused", n.paused())
                .add("completed", n.completed())
                .add("failed", n.failed());
        instant(b, "startedAt", n.startedAt());
        instant(b, "lastSeen", n.lastSeen());
        return b.build();
    }

    /** This server, read from the engine itself (no Redis round trip). */
    public static JsonObject local(RedTaskAdmin admin) {
        return Json.createObjectBuilder()
                .add("nodeId", admin.nodeId())
                .add("concurrency", admin.concurrency())
                .add("maxConcurrency", admin.maxConcurrency())
                .add("busy", admin.busy())
                .add("paused", admin.workersPaused())
                .add("completed", admin.completedCount())
                .add("failed", admin.failedCount())
                .build();
    }

    private static void instant(JsonObjectBuilder b, String name, Instant value) {
        if (value == null) {
            b.addNull(name);
        } else {
            b.add(name, TaskJson.format(value));
        }
    }

    /**
     * Reads {@code {"<field>": n}} (or {@code null} when {@code nullable}).
     *
     * @return the number, or {@code null} when the field is {@code null} and that is allowed
     * @throws InvalidRequestException naming the field (or {@code body}) when the body is not that
     */
    public static Integer intField(String body, String field, boolean nullable, int min, int max) {
        JsonObject json = object(body, "{\"" + field + "\": " + (nullable ? "n or null" : "n") + "}");
        // A misspelt field is named as such before the missing one ("concurency" -> concurrency).
        for (String key : json.keySet()) {
            if (!key.equals(field)) {
                throw new InvalidRequestException(key, "is not a known field; expected only \"" + field + "\"");
            }
        }
        if (!json.containsKey(field)) {
            throw new InvalidRequestException(field, "is required" + (nullable ? " (a whole number, or null)" : ""));
        }
        JsonValue v = json.get(field);
        if (v == JsonValue.NULL) {
            if (nullable) {
                return null;
            }
            throw new InvalidRequestException(field, "must be a whole number, was null");
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw new InvalidRequestException(
                    field, "must be a whole number" + (nullable ? " or null" : "") + ", was " + v);
        }
        long value;
        try {
            value = n.longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidRequestException(field, "is out of range (" + min + " to " + max + ")");
        }
        if (value < min || value > max) {
            throw new InvalidRequestException(field, "must be between " + min + " and " + max + ", was " + value);
        }
        return (int) value;
    }

    /** Deepest nesting an admin body may have (they are flat objects). */
    private static final int MAX_DEPTH = 4;

    private static JsonObject object(String body, String example) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("body", "is empty; expected a JSON object such as " + example);
        }
        // These bodies hold one number: refuse deep nesting before a parser builds it.
        if (io.redtask.engine.SubmitLimits.depth(body, MAX_DEPTH) > MAX_DEPTH) {
            throw new InvalidRequestException(
                    "body", "nests arrays and objects too deeply; expected a JSON object " + "such as " + example);
        }
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidRequestException("body", "must be a JSON object such as " + example);
            }
            return value.asJsonObject();
        } catch (JsonException e) {
            throw new InvalidRequestException("body", "is not valid JSON: " + e.getMessage());
        }
    }
}

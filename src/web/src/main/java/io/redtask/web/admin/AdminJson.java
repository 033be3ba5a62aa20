package io.redtask.web.admin;

import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.QueueStats;
import io.redtask.RateLimit;
import io.redtask.RedTaskAdmin;
import io.redtask.web.TaskJson;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

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
        if (q.rate() == null) {
            b.addNull("rate");
        } else {
            b.add(
                    "rate",
                    Json.createObjectBuilder()
                            .add("limit", q.rate().limit())
                            .add("per", q.rate().per().toString()));
        }
        if (q.groupConcurrency() == null) {
            b.addNull("groupConcurrency");
        } else {
            b.add("groupConcurrency", q.groupConcurrency().intValue());
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

    /**
     * Reads {@code {"limit": n, "per": "PT1S"}}, or {@code {"limit": null}} (no rate limit).
     *
     * @return the rate limit, or {@code null} to remove it
     * @throws InvalidRequestException naming the field (or {@code body}) that is wrong
     */
    public static RateLimit rateField(String body) {
        JsonObject json = object(body, "{\"limit\": 100, \"per\": \"PT1S\"} or {\"limit\": null}");
        for (String key : json.keySet()) {
            if (!key.equals("limit") && !key.equals("per")) {
                throw new InvalidRequestException(key, "is not a known field; expected \"limit\" and \"per\"");
            }
        }
        if (!json.containsKey("limit")) {
            throw new InvalidRequestException("limit", "is required (a whole number, or null for no rate limit)");
        }
        JsonValue limit = json.get("limit");
        if (limit == JsonValue.NULL) {
            if (json.containsKey("per") && json.get("per") != JsonValue.NULL) {
                throw new InvalidRequestException("per", "must be absent or null when limit is null");
            }
            return null;
        }
        if (!(limit instanceof JsonNumber n) || !n.isIntegral()) {
            throw new InvalidRequestException("limit", "must be a whole number or null, was " + limit);
        }
        long value;
        try {
            value = n.longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidRequestException("limit", "is out of range (1 to " + RateLimit.MAX_LIMIT + ")");
        }
        if (value < 1 || value > RateLimit.MAX_LIMIT) {
            throw new InvalidRequestException(
                    "limit", "must be between 1 and " + RateLimit.MAX_LIMIT + ", was " + value);
        }
        JsonValue per = json.get("per");
        if (per == null || per == JsonValue.NULL) {
            throw new InvalidRequestException("per", "is required: an ISO-8601 duration such as PT1S");
        }
        if (!(per instanceof JsonString s)) {
            throw new InvalidRequestException("per", "must be an ISO-8601 duration such as PT1S, was " + per);
        }
        Duration window;
        try {
            window = Duration.parse(s.getString());
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(
                    "per", "must be an ISO-8601 duration such as PT1S, was '" + s.getString() + "'");
        }
        return new RateLimit((int) value, window);
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

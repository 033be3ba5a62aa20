package io.redtask.web;

import io.redtask.InvalidRequestException;
import io.redtask.SubmitOptions;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The body of {@code POST /api/tasks}, read and checked by hand so that every problem gets a
 * message naming the field.
 *
 * @param type    the handler name
 * @param payload the payload, any JSON value
 * @param options queue, priority, timing, attempts, timeout, idempotency key
 */
record TaskRequest(String type, JsonValue payload, SubmitOptions options) {

    private static final Set<String> FIELDS = Set.of(
            "type",
            "payload",
            "queue",
            "priority",
            "delay",
            "runAt",
            "maxAttempts",
            "timeout",
            "idempotencyKey",
            "group");

    /** Reads a body with the default nesting limit (tests). */
    static TaskRequest parse(String body) {
        return parse(body, io.redtask.engine.SubmitLimits.Limits.DEFAULTS.jsonDepth());
    }

    /**
     * Reads a body whose payload may nest at most {@code maxDepth} levels: deeper text is refused
     * before a parser builds it (a tree 10,000 levels deep would exhaust the stack).
     */
    static TaskRequest parse(String body, int maxDepth) {
        return parse(body, maxDepth, null);
    }

    /** The same, recording {@code submittedBy} (a user name, or {@code null}) with the task. */
    static TaskRequest parse(String body, int maxDepth, String submittedBy) {
        return parse(body, maxDepth, submittedBy, null);
    }

    /**
     * The same, with the request's W3C {@code traceparent} header: the task joins that trace when
     * the server has no trace context of its own for the request (no mpTelemetry, or its SDK
     * off). A header that is not a valid traceparent is ignored, as W3C Trace Context says.
     */
    static TaskRequest parse(String body, int maxDepth, String submittedBy, String traceparent) {
        // The body's own object is one level; the payload is inside it.
        JsonObject json = JsonBody.object(body, maxDepth, 1, "{\"type\":\"echo\",\"payload\":{}}");
        return of(json, submittedBy, traceparent);
    }

    /** A task body already parsed (a member of a batch, say), checked as {@link #parse} checks one. */
    static TaskRequest of(JsonObject json, String submittedBy) {
        return of(json, submittedBy, null);
    }

    private static TaskRequest of(JsonObject json, String submittedBy, String traceparent) {
        JsonBody.onlyFields(json, FIELDS);
        String type = string(json, "type");
        if (type == null || type.isBlank()) {
            throw new InvalidRequestException("type", "is required");
        }
        SubmitOptions.Builder options = SubmitOptions.builder().submittedBy(submittedBy);
        if (io.redtask.TraceParent.isValid(traceparent)) {
            options.trace(traceparent);
        }
        String queue = string(json, "queue");
        if (queue != null) {
            options.queue(queue);
        }
        if (present(json, "priority")) {
            options.priority(integer(json, "priority"));
        }
        if (present(json, "maxAttempts")) {
            options.maxAttempts(integer(json, "maxAttempts"));
        }
        options.delay(duration(json, "delay"));
        options.runAt(instant(json, "runAt"));
        options.timeout(duration(json, "timeout"));
        options.idempotencyKey(string(json, "idempotencyKey"));
        options.group(string(json, "group"));
        return new TaskRequest(type, json.getOrDefault("payload", JsonValue.NULL), options.build());
    }

    private static boolean present(JsonObject json, String field) {
        return json.containsKey(field) && json.get(field) != JsonValue.NULL;
    }

    private static Duration duration(JsonObject json, String field) {
        String text = string(json, field);
        if (text == null) {
            return null;
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(
                    field, "must be an ISO-8601 duration such as PT30S or PT5M, was '" + text + "'");
        }
    }

    private static Instant instant(JsonObject json, String field) {
        String text = string(json, field);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(
                    field, "must be an ISO-8601 instant such as 2030-01-01T09:00:00Z, was '" + text + "'");
        }
    }

    private static String string(JsonObject json, String field) {
        JsonValue v = json.get(field);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v.getValueType() != JsonValue.ValueType.STRING) {
            throw new InvalidRequestException(field, "must be a string");
        }
        return json.getString(field);
    }

    private static int integer(JsonObject json, String field) {
        JsonValue v = json.get(field);
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw new InvalidRequestException(field, "must be a whole number");
        }
        try {
            return n.intValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidRequestException(field, "is out of range");
        }
    }
}

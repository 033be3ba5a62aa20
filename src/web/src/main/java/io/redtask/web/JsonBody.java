package io.redtask.web;

import io.redtask.InvalidRequestException;
import io.redtask.engine.SubmitLimits;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.util.Set;
import java.util.TreeSet;

/** A request body that must be one JSON object, checked the same way for tasks and batches. */
final class JsonBody {

    private JsonBody() {}

    /**
     * Parses {@code body} as one JSON object. Its payloads may nest {@code maxDepth} levels inside
     * {@code wrapping} levels of the body's own structure; deeper text is refused before a parser
     * builds it (a tree 10,000 levels deep would exhaust the stack).
     *
     * @param example a valid body, shown when the body is empty
     */
    static JsonObject object(String body, int maxDepth, int wrapping, String example) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("body", "is empty; expected a JSON object such as " + example);
        }
        if (SubmitLimits.depth(body, maxDepth + wrapping) > maxDepth + wrapping) {
            throw new InvalidRequestException(
                    "payload",
                    "nests arrays and objects more than " + maxDepth + " levels deep (redtask.limits.json-depth)");
        }
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidRequestException(
                        "body",
                        "must be a JSON object, was "
                                + value.getValueType().name().toLowerCase());
            }
            return value.asJsonObject();
        } catch (JsonException e) {
            throw new InvalidRequestException("body", "is not valid JSON: " + e.getMessage());
        }
    }

    /** Refuses a field not in {@code known}: a typo such as {@code dealy} is not silently ignored. */
    static void onlyFields(JsonObject json, Set<String> known) {
        for (String key : json.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidRequestException(key, "is not a known field; known fields: " + new TreeSet<>(known));
            }
        }
    }
}

package io.redtask;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;

/**
 * Reads task results from JSON for {@link TaskResult}: one JSON-B instance for the application
 * (the class sits in the application's library, so each application has its own), created on
 * first use because creating one is costly and most applications never read typed results.
 */
final class ResultJson {

    private static volatile Jsonb jsonb;

    private ResultJson() {}

    /**
     * {@code json} as {@code type}; {@code null} for no JSON or JSON {@code null}.
     *
     * @throws IllegalArgumentException when the JSON does not have the shape of {@code type}
     */
    static <R> R read(String taskId, String json, Class<R> type) {
        if (json == null || json.isBlank() || "null".equals(json.strip())) {
            return null;
        }
        try {
            return jsonb().fromJson(json, type);
        } catch (JsonbException e) {
            throw new IllegalArgumentException(
                    "the result of task " + taskId + " cannot be read as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    private static Jsonb jsonb() {
        Jsonb j = jsonb;
        if (j == null) {
            synchronized (ResultJson.class) {
                j = jsonb;
                if (j == null) {
                    j = JsonbBuilder.create();
                    jsonb = j;
                }
            }
        }
        return j;
    }
}

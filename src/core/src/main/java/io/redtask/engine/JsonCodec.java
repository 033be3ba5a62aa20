package io.redtask.engine;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;

import java.lang.reflect.Type;

/**
 * Payloads and results as JSON, through JSON-B. Redis only ever holds JSON text: no Java
 * serialization and no class names, so nothing read back from Redis can choose what code runs.
 */
public final class JsonCodec implements AutoCloseable {

    private final Jsonb jsonb;

    public JsonCodec() {
        this(JsonbBuilder.create());
    }

    public JsonCodec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /**
     * Writes {@code value} as JSON ({@code "null"} for null).
     *
     * @throws JsonbException when the value cannot be written
     */
    public String toJson(Object value) {
        return value == null ? "null" : jsonb.toJson(value);
    }

    /**
     * Reads {@code json} as {@code type}; {@code null} for absent or JSON null.
     *
     * @throws JsonbException when the text is not JSON of that type
     */
    public Object fromJson(String json, Type type) {
        if (json == null || json.isBlank() || "null".equals(json.strip())) {
            return null;
        }
        return jsonb.fromJson(json, type);
    }

    /**
     * Why {@code json} cannot be read as {@code type}, in words a caller can act on (JSON-B's own
     * message is sometimes just "Internal error: null").
     */
    public static String readProblem(String json, Type type, JsonbException e) {
        String name = type instanceof Class<?> c ? c.getSimpleName() : type.getTypeName();
        String shown = json.length() > 100 ? json.substring(0, 100) + "..." : json;
        String detail = e.getMessage();
        // JSON-B wraps what a payload's own constructor refused ("Exception occurred during call
        // to JSONB creator"): the innermost cause says what is wrong, in the payload's words.
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null
                    && !c.getMessage().isBlank()
                    && !(c instanceof JsonbException)
                    && !(c instanceof java.lang.reflect.InvocationTargetException)) {
                detail = c.getMessage();
            }
        }
        if (detail == null || detail.isBlank() || detail.startsWith("Internal error")) {
            detail = "it does not have the shape of " + name;
        }
        return shown + " cannot be read as " + name + ": " + detail;
    }

    @Override
    public void close() throws Exception {
        jsonb.close();
    }
}

package io.redtask.demo;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.serializer.DeserializationContext;
import jakarta.json.bind.serializer.JsonbDeserializer;
import jakarta.json.stream.JsonParser;

import java.lang.reflect.Type;

/**
 * Reads {@code sleep}'s payload, {@code {"ms": n}}, so that a refusal says why. JSON-B reports an
 * exception thrown by a record's constructor only as "Exception occurred during call to JSONB
 * creator", which is all the submitter would see; a {@link JsonbException} thrown here keeps its
 * message, and the engine passes it on in its 400 naming {@code payload}.
 */
public class SleepPayloadReader implements JsonbDeserializer<SleepHandler.Payload> {

    @Override
    public SleepHandler.Payload deserialize(JsonParser parser, DeserializationContext context, Type type) {
        JsonValue value = parser.getValue();
        if (!(value instanceof JsonObject object)) {
            throw new JsonbException("sleep's payload is an object such as {\"ms\":500}, not " + value);
        }
        JsonValue ms = object.getOrDefault("ms", JsonValue.NULL);
        if (ms == JsonValue.NULL) {
            return new SleepHandler.Payload(0);
        }
        if (!(ms instanceof JsonNumber number) || !number.isIntegral()) {
            throw new JsonbException("ms must be a whole number of milliseconds, was " + ms);
        }
        try {
            return new SleepHandler.Payload(number.longValueExact());
        } catch (IllegalArgumentException | ArithmeticException e) {
            // Out of range, or beyond a long: the same refusal, with the number as it was sent.
            throw new JsonbException(SleepHandler.Payload.outOfRange(ms), e);
        }
    }
}

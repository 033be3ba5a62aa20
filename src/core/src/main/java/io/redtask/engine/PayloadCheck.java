package io.redtask.engine;

import io.redtask.InvalidRequestException;
import jakarta.json.bind.JsonbException;

/** Payloads at submit time: written as JSON, and refused when the handler could never read them. */
final class PayloadCheck {

    private PayloadCheck() {}

    static String toJson(JsonCodec codec, Object payload) {
        try {
            return codec.toJson(payload);
        } catch (JsonbException e) {
            throw new InvalidRequestException("payload", "cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Refuses now what the handler could never read, rather than let it die at run time. */
    static void readable(JsonCodec codec, String json, HandlerRegistration handler) {
        if (handler.payloadType() == Object.class) {
            return;
        }
        try {
            codec.fromJson(json, handler.payloadType());
        } catch (JsonbException e) {
            throw new InvalidRequestException("payload", JsonCodec.readProblem(json, handler.payloadType(), e), e);
        }
    }
}

package io.redtask.web;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Error responses: always a JSON object with an {@code error} that says what is wrong. */
public final class Problems {

    private Problems() {}

    public static Response of(Response.StatusType status, String message) {
        return of(status, message, null);
    }

    public static Response of(Response.StatusType status, String message, String field) {
        JsonObjectBuilder body = Json.createObjectBuilder().add("error", message);
        if (field != null) {
            body.add("field", field);
        }
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body.build().toString())
                .build();
    }
}

package io.redtask.web;

import io.redtask.BatchStatus;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** A batch as the REST API shows it; every field is present, {@code null} when unknown. */
public final class BatchJson {

    private BatchJson() {}

    public static JsonObject of(BatchStatus s) {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("id", s.id())
                .add("queue", s.queue())
                .add("total", s.total())
                .add("pending", s.pending())
                .add("succeeded", s.succeeded())
                .add("dead", s.dead())
                .add("cancelled", s.cancelled())
                .add("state", s.state());
        if (s.onComplete() == null) {
            b.addNull("onComplete");
        } else {
            b.add("onComplete", s.onComplete());
        }
        b.add("createdAt", TaskJson.format(s.createdAt()));
        if (s.finishedAt() == null) {
            b.addNull("finishedAt");
        } else {
            b.add("finishedAt", TaskJson.format(s.finishedAt()));
        }
        return b.build();
    }
}

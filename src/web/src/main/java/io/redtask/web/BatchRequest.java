package io.redtask.web;

import io.redtask.InvalidRequestException;
import io.redtask.Submission;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/batches}: {@code {"tasks":[<task>...], "onComplete": <task>?}},
 * each task as {@code POST /api/tasks} takes it, each problem named by its field
 * ({@code tasks[3].delay}, {@code onComplete.type}).
 *
 * @param tasks      the members
 * @param onComplete the callback, or {@code null}
 */
record BatchRequest(List<TaskRequest> tasks, TaskRequest onComplete) {

    private static final Set<String> FIELDS = Set.of("tasks", "onComplete");

    /** Reads a body whose payloads may nest at most {@code maxDepth} levels. */
    static BatchRequest parse(String body, int maxDepth, String submittedBy) {
        // The body, the tasks array and a task's object are three levels; payloads are inside them.
        JsonObject json = JsonBody.object(
                body,
                maxDepth,
                3,
                "{\"tasks\":[{\"type\":\"echo\",\"payload\":1}],\"onComplete\":{\"type\":\"echo\"}}");
        JsonBody.onlyFields(json, FIELDS);
        JsonValue tasks = json.get("tasks");
        if (tasks == null || tasks.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new InvalidRequestException("tasks", "is required: an array of task bodies as POST /api/tasks takes");
        }
        List<TaskRequest> members = new ArrayList<>();
        int i = 0;
        for (JsonValue t : tasks.asJsonArray()) {
            members.add(task(t, "tasks[" + i + "]", submittedBy));
            i++;
        }
        JsonValue callback = json.get("onComplete");
        return new BatchRequest(
                members,
                callback == null || callback == JsonValue.NULL ? null : task(callback, "onComplete", submittedBy));
    }

    private static TaskRequest task(JsonValue v, String field, String submittedBy) {
        if (v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidRequestException(field, "must be a JSON object such as {\"type\":\"echo\",\"payload\":1}");
        }
        try {
            return TaskRequest.of(v.asJsonObject(), submittedBy);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(field + "." + e.field(), e.getMessage(), e);
        }
    }

    static Submission submission(TaskRequest r) {
        return new Submission(r.type(), r.payload(), r.options());
    }

    /** The members as submissions. */
    List<Submission> submissions() {
        return tasks.stream().map(BatchRequest::submission).toList();
    }

    /** The callback as a submission, or {@code null}. */
    Submission callback() {
        return onComplete == null ? null : submission(onComplete);
    }
}

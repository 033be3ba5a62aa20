package io.redtask.web;

import io.redtask.InvalidRequestException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A batch body: each task read as POST /api/tasks reads one, each problem named by its place. */
class BatchRequestTest {

    @Test
    void tasksAndTheCallbackAreReadWithTheirSubmitter() {
        BatchRequest r = BatchRequest.parse(
                "{\"tasks\":[{\"type\":\"echo\",\"payload\":1},{\"type\":\"sleep\",\"queue\":\"mail\",\"priority\":3}],"
                        + "\"onComplete\":{\"type\":\"echo\",\"payload\":{\"note\":\"x\"}}}",
                64,
                "ada");
        assertEquals(2, r.tasks().size());
        assertEquals("sleep", r.submissions().get(1).type());
        assertEquals("mail", r.submissions().get(1).options().queueName());
        assertEquals(3, r.submissions().get(1).options().priority());
        assertEquals("ada", r.submissions().get(0).options().submittedBy());
        assertEquals("{\"note\":\"x\"}", r.callback().payload().toString());
        assertNull(BatchRequest.parse("{\"tasks\":[{\"type\":\"echo\"}]}", 64, null)
                .callback());
    }

    @Test
    void problemsAreNamedByTheirPlaceInTheBatch() {
        assertField("body", "");
        assertField("body", "[1]");
        assertField("body", "{");
        assertField("tasks", "{}");
        assertField("tasks", "{\"tasks\":{}}");
        assertField("then", "{\"tasks\":[],\"then\":1}");
        assertField("tasks[0]", "{\"tasks\":[1]}");
        assertField("tasks[1].type", "{\"tasks\":[{\"type\":\"echo\"},{}]}");
        assertField("tasks[0].dealy", "{\"tasks\":[{\"type\":\"echo\",\"dealy\":\"PT1S\"}]}");
        assertField("tasks[0].delay", "{\"tasks\":[{\"type\":\"echo\",\"delay\":\"soon\"}]}");
        assertField("onComplete", "{\"tasks\":[],\"onComplete\":\"echo\"}");
        assertField("onComplete.maxAttempts", "{\"tasks\":[],\"onComplete\":{\"type\":\"echo\",\"maxAttempts\":1.5}}");
        assertField("payload", "{\"tasks\":[{\"type\":\"echo\",\"payload\":[[[[1]]]]}]}", 3);
    }

    private static void assertField(String field, String body) {
        assertField(field, body, 64);
    }

    private static void assertField(String field, String body, int depth) {
        InvalidRequestException e =
                assertThrows(InvalidRequestException.class, () -> BatchRequest.parse(body, depth, null));
        assertEquals(field, e.field(), e.getMessage());
    }
}

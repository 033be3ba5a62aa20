package io.redtask.web;

import io.redtask.InvalidTaskException;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad request body is refused with a message naming the field. */
class TaskRequestTest {

    @Test
    void aFullRequestIsRead() {
        TaskRequest r = TaskRequest.parse("{\"type\":\"echo\",\"payload\":{\"x\":1},\"queue\":\"mail\",\"maxAttempts\":4}");
        assertEquals("echo", r.type());
        assertEquals("{\"x\":1}", r.payload().toString());
        assertEquals("mail", r.options().queueName());
        assertEquals(4, r.options().maxAttempts());
    }

    @Test
    void theQueueAndAttemptsDefaultAndAMissingPayloadIsNull() {
        TaskRequest r = TaskRequest.parse("{\"type\":\"noop\"}");
        assertEquals("default", r.options().queueName());
        assertNull(r.options().maxAttempts());
        assertEquals(JsonValue.NULL, r.payload());
    }

    private static void refused(String body, String field, String words) {
        InvalidTaskException e = assertThrows(InvalidTaskException.class, () -> TaskRequest.parse(body));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void badBodiesAreRefusedWithTheFieldNamed() {
        refused("", "body", "empty");
        refused("{\"type\":", "body", "not valid JSON");
        refused("[1,2]", "body", "must be a JSON object");
        refused("{}", "type", "required");
        refused("{\"type\":\"  \"}", "type", "required");
        refused("{\"type\":7}", "type", "must be a string");
        refused("{\"type\":\"echo\",\"queue\":\"no spaces\"}", "queue", "A-Z a-z 0-9");
        refused("{\"type\":\"echo\",\"maxAttempts\":0}", "maxAttempts", "at least 1");
        refused("{\"type\":\"echo\",\"maxAttempts\":1.5}", "maxAttempts", "whole number");
        refused("{\"type\":\"echo\",\"dealy\":\"PT1S\"}", "dealy", "not a known field");
    }
}

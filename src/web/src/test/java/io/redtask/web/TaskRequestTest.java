package io.redtask.web;

import io.redtask.InvalidRequestException;
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
        TaskRequest r =
                TaskRequest.parse("{\"type\":\"echo\",\"payload\":{\"x\":1},\"queue\":\"mail\",\"maxAttempts\":4}");
        assertEquals("echo", r.type());
        assertEquals("{\"x\":1}", r.payload().toString());
        assertEquals("mail", r.options().queueName());
        assertEquals(4, r.options().maxAttempts());
    }

    @Test
    void timingPriorityTimeoutAndIdempotencyAreRead() {
        TaskRequest r = TaskRequest.parse("{\"type\":\"echo\",\"priority\":7,\"delay\":\"PT5M\",\"timeout\":\"PT30S\","
                + "\"idempotencyKey\":\"order-42\"}");
        assertEquals(7, r.options().priority());
        assertEquals(java.time.Duration.ofMinutes(5), r.options().delay());
        assertEquals(java.time.Duration.ofSeconds(30), r.options().timeout());
        assertEquals("order-42", r.options().idempotencyKey());
        TaskRequest at = TaskRequest.parse("{\"type\":\"echo\",\"runAt\":\"2030-01-01T10:00:00+02:00\"}");
        assertEquals(
                java.time.Instant.parse("2030-01-01T08:00:00Z"), at.options().runAt());
    }

    @Test
    void theQueueAndAttemptsDefaultAndAMissingPayloadIsNull() {
        TaskRequest r = TaskRequest.parse("{\"type\":\"noop\"}");
        assertEquals("default", r.options().queueName());
        assertNull(r.options().maxAttempts());
        assertEquals(JsonValue.NULL, r.payload());
    }

    private static void refused(String body, String field, String words) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> TaskRequest.parse(body));
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
        refused("{\"type\":\"echo\",\"maxAttempts\":0}", "maxAttempts", "between 1 and 1000");
        refused("{\"type\":\"echo\",\"priority\":5000}", "priority", "between -1000 and 1000");
        refused("{\"type\":\"echo\",\"delay\":\"5 minutes\"}", "delay", "ISO-8601 duration");
        refused("{\"type\":\"echo\",\"delay\":\"-PT1S\"}", "delay", "negative");
        refused("{\"type\":\"echo\",\"runAt\":\"tomorrow\"}", "runAt", "ISO-8601 instant");
        refused(
                "{\"type\":\"echo\",\"delay\":\"PT1S\",\"runAt\":\"2030-01-01T00:00:00Z\"}",
                "runAt",
                "cannot be combined");
        refused("{\"type\":\"echo\",\"timeout\":\"PT0S\"}", "timeout", "positive");
        refused("{\"type\":\"echo\",\"idempotencyKey\":\"\"}", "idempotencyKey", "not blank");
        refused("{\"type\":\"echo\",\"maxAttempts\":1.5}", "maxAttempts", "whole number");
        refused("{\"type\":\"echo\",\"dealy\":\"PT1S\"}", "dealy", "not a known field");
    }
}

package io.redtask.web.admin;

import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.QueueStats;
import io.redtask.RateLimit;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminJsonTest {

    @Test
    void aQueueHasEveryFieldWithNullsForTheUnknown() {
        JsonObject q =
                AdminJson.queue(new QueueStats("default", 1, 2, 3, 4, true, null, 5, 6, 7, 8, 9, null, null, null));
        assertEquals("default", q.getString("name"));
        assertEquals(4, q.getInt("dead"));
        assertTrue(q.getBoolean("paused"));
        assertTrue(q.isNull("concurrencyLimit"));
        assertTrue(q.isNull("nextWaitingMs"));
        assertTrue(q.isNull("rate"));
        assertTrue(q.isNull("groupConcurrency"));
        assertEquals(15, q.size(), q::toString);

        JsonObject limited = AdminJson.queue(new QueueStats(
                "q", 0, 0, 0, 0, false, 3, 0, 0, 0, 0, 0, Duration.ofMillis(1500), RateLimit.parse("100/PT1S"), 2));
        assertEquals(3, limited.getInt("concurrencyLimit"));
        assertEquals(1500, limited.getInt("nextWaitingMs"));
        assertEquals(100, limited.getJsonObject("rate").getInt("limit"));
        assertEquals("PT1S", limited.getJsonObject("rate").getString("per"));
        assertEquals(2, limited.getInt("groupConcurrency"));
    }

    @Test
    void aNodeHasItsQueuesAndTimes() {
        JsonObject n = AdminJson.node(new NodeInfo(
                "n1",
                List.of("default", "mail"),
                4,
                32,
                1,
                false,
                10,
                2,
                Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2030-01-01T00:01:00Z")));
        assertEquals("n1", n.getString("nodeId"));
        assertEquals(2, n.getJsonArray("queues").size());
        assertEquals("2030-01-01T00:01:00.000Z", n.getString("lastSeen"), "every timestamp with milliseconds");
    }

    @Test
    void numberFieldsAreCheckedAndNamed() {
        assertEquals(5, AdminJson.intField("{\"limit\":5}", "limit", true, 0, 10));
        assertNull(AdminJson.intField("{\"limit\":null}", "limit", true, 0, 10));
        assertEquals(
                "limit",
                assertThrows(
                                InvalidRequestException.class,
                                () -> AdminJson.intField("{\"limit\":null}", "limit", false, 0, 10))
                        .field());
        assertEquals(
                "limit",
                assertThrows(
                                InvalidRequestException.class,
                                () -> AdminJson.intField("{\"limit\":11}", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "limit",
                assertThrows(
                                InvalidRequestException.class,
                                () -> AdminJson.intField("{\"limit\":1.5}", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "limit",
                assertThrows(InvalidRequestException.class, () -> AdminJson.intField("{}", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "other",
                assertThrows(
                                InvalidRequestException.class,
                                () -> AdminJson.intField("{\"limit\":1,\"other\":2}", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "body",
                assertThrows(InvalidRequestException.class, () -> AdminJson.intField("[1]", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "body",
                assertThrows(InvalidRequestException.class, () -> AdminJson.intField("{", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "body",
                assertThrows(InvalidRequestException.class, () -> AdminJson.intField("", "limit", true, 0, 10))
                        .field());
        assertEquals(
                "limit",
                assertThrows(
                                InvalidRequestException.class,
                                () -> AdminJson.intField("{\"limit\":99999999999999999999}", "limit", true, 0, 10))
                        .field());
    }
}

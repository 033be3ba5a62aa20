package io.redtask.cdi;

import io.redtask.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code redtask.queue.<q>.rate} and {@code .group-concurrency}: read per queue, bad values named by their key. */
class QueueLimitsConfigTest {

    private static QueueLimitsConfig read(Map<String, String> values, List<String> queues) {
        return QueueLimitsConfig.from(new MapConfig(values), queues);
    }

    @Test
    void eachQueuesLimitsAreRead() {
        QueueLimitsConfig c = read(
                Map.of(
                        "redtask.queue.mail.rate", "100/PT1S",
                        "redtask.queue.mail.group-concurrency", "2",
                        "redtask.queue.reports.rate", " 5/PT1M ",
                        "redtask.queue.unserved.rate", "1/PT1S"),
                List.of("mail", "reports", "default"));
        assertEquals(
                Map.of(
                        "mail",
                        new RateLimit(100, Duration.ofSeconds(1)),
                        "reports",
                        new RateLimit(5, Duration.ofMinutes(1))),
                c.rates());
        assertEquals(Map.of("mail", 2), c.groupConcurrency());
        assertEquals(new QueueLimitsConfig(Map.of(), Map.of()), read(Map.of(), List.of("default")), "none by default");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("redtask.queue.q.rate", "100"),
                Map.entry("redtask.queue.q.rate", "0/PT1S"),
                Map.entry("redtask.queue.q.rate", "10/second"),
                Map.entry("redtask.queue.q.rate", "10/P2D"),
                Map.entry("redtask.queue.q.group-concurrency", "0"),
                Map.entry("redtask.queue.q.group-concurrency", "two"))) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> read(Map.of(bad.getKey(), bad.getValue()), List.of("q")),
                    bad::toString);
            assertTrue(e.getMessage().startsWith(bad.getKey()), e.getMessage());
        }
    }
}

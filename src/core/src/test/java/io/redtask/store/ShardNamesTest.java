package io.redtask.store;

import io.redtask.QueueNames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue and shard names are checked with loops (every task key a server builds checks one): they
 * accept exactly what the rules written as regular expressions accept.
 */
class ShardNamesTest {

    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern SHARD = Pattern.compile("[A-Za-z0-9_-]{1,64}\\.[1-9][0-9]?(\\.[0-9]{1,9})?");

    @Test
    void theLoopsAcceptWhatTheRulesAccept() {
        List<String> names = new ArrayList<>(List.of(
                "",
                "q",
                "default",
                "a".repeat(64),
                "a".repeat(65),
                "q.1",
                "q.0",
                "q.01",
                "q.99",
                "q.100",
                "q.1.0",
                "q.1.123456789",
                "q.1.1234567890",
                "q.1.",
                "q..1",
                ".1",
                "q.1.2.3",
                "q.a",
                "q.1.x",
                "é",
                "q 1",
                "q:1",
                "a".repeat(64) + ".7.7",
                "a".repeat(65) + ".7",
                "tenant_A-1.63.42"));
        Random random = new Random(42);
        String alphabet = "aZ09_-.:é 1";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(12);
            for (int j = 0; j < n; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            names.add(b.toString());
        }
        for (String name : names) {
            boolean queue = QUEUE.matcher(name).matches();
            assertEquals(queue, QueueNames.isValid(name), "queue name '" + name + "'");
            assertEquals(queue || SHARD.matcher(name).matches(), ShardNames.isValid(name), "shard name '" + name + "'");
        }
        assertFalse(ShardNames.isValid(null));
        assertFalse(QueueNames.isValid(null));
        assertTrue(ShardNames.isValid(ShardNames.name("q", 63, 123456789)));
    }
}

package io.redtask.redis;

import io.redtask.store.ShardNames;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ShardPlacement}: N shards of a queue in N different parts of the slot range, the same names every time. */
class ShardPlacementTest {

    @Test
    void everyShardCountPutsEachShardInAPartOfItsOwn() {
        for (String queue : List.of("default", "work", "a", "orders-eu_1")) {
            for (int n = 1; n <= ShardNames.MAX_SHARDS; n++) {
                List<String> shards = ShardPlacement.extend(queue, List.of(queue), n);
                assertEquals(n, shards.size());
                Set<Integer> parts = new HashSet<>();
                for (String shard : shards) {
                    parts.add((int) ((long) ShardPlacement.slot(shard) * n / ShardPlacement.SLOTS));
                    assertTrue(
                            ShardNames.isValid(shard)
                                    && ShardNames.queueOf(shard).equals(queue),
                            shard);
                }
                assertEquals(n, parts.size(), queue + " in " + n + " shards: " + shards);
                assertEquals(shards, ShardPlacement.extend(queue, List.of(queue), n), "deterministic");
            }
        }
    }

    @Test
    void shardNamesAreNotQueueNamesAndNameTheirQueue() {
        assertEquals("work", ShardNames.queueOf("work.2.17"));
        assertEquals("work", ShardNames.queueOf("work"));
        assertTrue(ShardNames.isShard("work.2") && ShardNames.isShard("work.2.17"));
        assertTrue(!ShardNames.isShard("work") && !ShardNames.isShard("work.0") && !ShardNames.isShard("work.x"));
        assertEquals(
                "redtask:{work.1}:task:work.1:01ARZ3NDEKTSV4RRFFQ69G5FAV",
                new Keys("redtask").task("work.1:01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    }
}

package io.redtask.redis;

import io.redtask.engine.EngineSettings;
import io.redtask.store.ClaimedTask;
import io.redtask.store.NewTask;
import io.redtask.store.TaskIds;
import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Tasks an older version left in the queue's single ready set are claimed after an upgrade, in order. */
class LegacyReadySetTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void tasksInTheOldSingleReadySetAreMigratedAndClaimedInOrder() {
        long t0 = 1_800_000_000_000L;
        try (RedisStorage storage = RedisStorage.open(
                REDIS.url(),
                4,
                Duration.ofSeconds(2),
                new Keys("legacy-" + UUID.randomUUID()),
                EngineSettings.builder("s").build())) {
            String q = "q";
            List<String> ids = List.of(TaskIds.next(q, t0), TaskIds.next(q, t0 + 1));
            for (String id : ids) {
                storage.tasks()
                        .enqueue(
                                q,
                                List.of(NewTask.builder(id, "echo", q)
                                        .payloadJson("1")
                                        .build()),
                                t0);
            }
            // Put them back where an older version kept them: one ready set for every type.
            Keys keys = storage.keys();
            var redis = storage.redis();
            for (String id : ids) {
                Double score = redis.zscore(keys.ready(q, "echo"), id);
                redis.zrem(keys.ready(q, "echo"), id);
                redis.zadd(keys.legacyReady(q), score, id);
            }
            redis.del(keys.types(q));

            List<ClaimedTask> claimed = storage.tasks()
                    .claim(q, 10, t0, 30_000, "a", List.of("echo"))
                    .tasks();
            assertEquals(ids, claimed.stream().map(ClaimedTask::id).toList());
            assertFalse(redis.exists(keys.legacyReady(q)), "the old set is emptied");
        }
    }
}

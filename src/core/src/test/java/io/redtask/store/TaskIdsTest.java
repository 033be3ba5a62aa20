package io.redtask.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task ids carry the time they were made at: a record that stores no createdAt is read from it. */
class TaskIdsTest {

    @Test
    void theTimeAnIdWasMadeAtReadsBackExactly() {
        long[] times = {0L, 1L, 1_800_000_000_000L, 1_800_000_000_123L, (1L << 48) - 1};
        for (long t : times) {
            for (String queue : new String[] {"default", "billing-eu", "a", ShardNames.name("q", 2, 7)}) {
                String id = TaskIds.next(queue, t);
                assertEquals(t, TaskIds.timeOf(id), id);
                assertEquals(queue, TaskIds.queueOf(id));
            }
        }
    }

    @Test
    void anIdOfAnotherShapeHasNoTime() {
        for (String id : new String[] {
            "q:short",
            "q:01M8PJ1EFZ421K4PEAH3T4FPS",
            "q:01M8PJ1EFZ421K4PEAH3T4FPSRX",
            "q:0iM8PJ1EFZ421K4PEAH3T4FPSR",
            "no-colon"
        }) {
            assertEquals(-1, TaskIds.timeOf(id), id);
        }
        assertTrue(TaskIds.timeOf(TaskIds.next("q", 5)) >= 0);
    }
}

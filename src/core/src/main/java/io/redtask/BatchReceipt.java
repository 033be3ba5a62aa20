package io.redtask;

import java.util.List;

/**
 * What {@link TaskScheduler#submitBatchForReceipt} stored.
 *
 * @param id         the batch's id, which {@link TaskScheduler#batch(String)} accepts on any server
 * @param tasks      the members' task ids, in the order they were given
 * @param onComplete the callback task's id, or {@code null} without a callback
 */
public record BatchReceipt(String id, List<String> tasks, String onComplete) {

    /**
     * Copies the list.
     *
     * @param id         the batch's id
     * @param tasks      the members' task ids, in order
     * @param onComplete the callback task's id, or {@code null}
     */
    public BatchReceipt {
        tasks = List.copyOf(tasks);
    }
}

package io.redtask.engine;

import io.redtask.BatchCounts;
import io.redtask.BatchStatus;
import io.redtask.store.BatchStore;
import io.redtask.store.NewTask;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Batches as operators see them when queues are sharded: a batch lives in one shard of its queue
 * (its id names the shard), and a queue's lists and figures cover all its shards.
 */
final class ShardedBatches implements BatchStore {

    private final BatchStore store;
    private final QueueShards shards;

    ShardedBatches(BatchStore store, QueueShards shards) {
        this.store = store;
        this.shards = shards;
    }

    @Override
    public void create(
            String queue,
            String batchId,
            List<NewTask> members,
            NewTask callback,
            String submittedBy,
            long keepMillis,
            long now) {
        store.create(queue, batchId, members, callback, submittedBy, keepMillis, now);
    }

    @Override
    public Optional<BatchStatus> find(String batchId) {
        return store.find(batchId);
    }

    @Override
    public List<BatchStatus> running(String queue, int max) {
        return merged(queue, max, true, Comparator.comparing(BatchStatus::createdAt));
    }

    @Override
    public List<BatchStatus> done(String queue, int max) {
        return merged(
                queue,
                max,
                false,
                Comparator.comparing(
                        BatchStatus::finishedAt, Comparator.nullsLast(Comparator.<Instant>reverseOrder())));
    }

    private List<BatchStatus> merged(String queue, int max, boolean running, Comparator<BatchStatus> order) {
        List<String> all = shards.forReading(queue);
        if (all.size() == 1) {
            return running ? store.running(all.get(0), max) : store.done(all.get(0), max);
        }
        List<BatchStatus> out = new ArrayList<>();
        for (String shard : all) {
            out.addAll(running ? store.running(shard, max) : store.done(shard, max));
        }
        out.sort(order);
        return out.stream().limit(max).toList();
    }

    @Override
    public BatchCounts counts(String queue) {
        List<String> all = shards.forReading(queue);
        long running = 0;
        long done = 0;
        for (String shard : all) {
            BatchCounts c = store.counts(shard);
            running += c.running();
            done += c.doneTotal();
        }
        return new BatchCounts(queue, running, done);
    }
}

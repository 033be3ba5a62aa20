package io.redtask.engine;

import io.redtask.QueueStats;
import io.redtask.RateLimit;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.store.QueueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The queues as operators see them when some are sharded: each call on a queue goes to all its
 * shards, figures are summed and lists merged, so a sharded queue looks like one queue (its
 * shards are never listed). A call naming one shard (a dead task's retry by id) goes to it alone.
 *
 * <p>Cluster-wide limits are kept per shard, each shard claiming on its own: a concurrency or rate
 * limit L over N shards becomes ceil(L / N) per shard (so up to N - 1 more may run or start than
 * L when the load is uneven; the figures show the shards' sum); a group limit holds exactly, as a
 * group lives in one shard.
 */
final class ShardedQueues implements QueueStore {

    private final QueueStore store;
    private final QueueShards shards;

    ShardedQueues(QueueStore store, QueueShards shards) {
        this.store = store;
        this.shards = shards;
    }

    @Override
    public void register(Collection<String> queues) {
        store.register(queues);
    }

    @Override
    public List<String> names() {
        return store.names().stream()
                .filter(n -> !io.redtask.store.ShardNames.isShard(n))
                .toList();
    }

    @Override
    public QueueStats stats(String queue, long now) {
        List<String> all = shards.forReading(queue);
        if (all.size() == 1) {
            return store.stats(all.get(0), now);
        }
        List<QueueStats> each = all.stream().map(s -> store.stats(s, now)).toList();
        QueueStats first = each.get(0);
        return new QueueStats(
                queue,
                sum(each, QueueStats::ready),
                sum(each, QueueStats::scheduled),
                sum(each, QueueStats::running),
                sum(each, QueueStats::dead),
                each.stream().anyMatch(QueueStats::paused),
                each.stream().map(QueueStats::concurrencyLimit).allMatch(Objects::isNull)
                        ? null
                        : each.stream()
                                .map(QueueStats::concurrencyLimit)
                                .filter(Objects::nonNull)
                                .mapToInt(Integer::intValue)
                                .sum(),
                sum(each, QueueStats::completed),
                sum(each, QueueStats::failed),
                sum(each, QueueStats::died),
                sum(each, QueueStats::completedLastMinute),
                sum(each, QueueStats::failedLastMinute),
                each.stream()
                        .map(QueueStats::nextWaiting)
                        .filter(Objects::nonNull)
                        .max(Comparator.naturalOrder())
                        .orElse(null),
                rateOf(each),
                first.groupConcurrency());
    }

    private static long sum(List<QueueStats> each, java.util.function.ToLongFunction<QueueStats> f) {
        return each.stream().mapToLong(f).sum();
    }

    /** The shards' rate limits added up (each shard keeps its share of the queue's window). */
    private static RateLimit rateOf(List<QueueStats> each) {
        RateLimit first = each.get(0).rate();
        if (first == null) {
            return null;
        }
        long limit = each.stream()
                .map(QueueStats::rate)
                .filter(r -> r != null && r.per().equals(first.per()))
                .mapToLong(RateLimit::limit)
                .sum();
        return new RateLimit((int) Math.min(limit, RateLimit.MAX_LIMIT), first.per());
    }

    @Override
    public List<TaskStatus> tasks(String queue, TaskState state, int offset, int limit) {
        List<String> all = shards.forReading(queue);
        if (all.size() == 1) {
            return store.tasks(all.get(0), state, offset, limit);
        }
        // Each shard's first offset + limit in its own order, merged in the order the state is
        // listed in (the shards have no common order: priority and FIFO hold per shard).
        List<TaskStatus> merged = new ArrayList<>();
        for (String shard : all) {
            merged.addAll(store.tasks(shard, state, 0, offset + limit));
        }
        merged.sort(orderOf(state));
        return merged.stream().skip(offset).limit(limit).toList();
    }

    private static Comparator<TaskStatus> orderOf(TaskState state) {
        Comparator<Instant> early = Comparator.nullsLast(Comparator.naturalOrder());
        return switch (state) {
            case QUEUED ->
                Comparator.comparingInt(TaskStatus::priority)
                        .reversed()
                        .thenComparing(TaskStatus::runAt, early)
                        .thenComparing(TaskStatus::createdAt, early);
            case SCHEDULED -> Comparator.comparing(TaskStatus::runAt, early);
            case RUNNING -> Comparator.comparing(TaskStatus::startedAt, early);
            default -> Comparator.comparing(TaskStatus::finishedAt, Comparator.nullsLast(Comparator.reverseOrder()));
        };
    }

    @Override
    public int retryDead(String queue, String id, int max, long now) {
        return eachUpTo(queue, max, (shard, left) -> store.retryDead(shard, id, left, now));
    }

    @Override
    public int purgeDead(String queue, String id, int max) {
        return eachUpTo(queue, max, (shard, left) -> store.purgeDead(shard, id, left));
    }

    private int eachUpTo(String queue, int max, java.util.function.BiFunction<String, Integer, Integer> call) {
        int done = 0;
        for (String shard : shards.forReading(queue)) {
            if (done >= max) {
                break;
            }
            done += call.apply(shard, max - done);
        }
        return done;
    }

    @Override
    public void setConcurrency(String queue, Integer limit) {
        each(queue, n -> {
            Integer share = limit == null ? null : ceilDiv(limit, n);
            return shard -> store.setConcurrency(shard, share);
        });
    }

    @Override
    public void setRate(String queue, RateLimit rate) {
        each(queue, n -> {
            RateLimit share = rate == null ? null : new RateLimit(ceilDiv(rate.limit(), n), rate.per());
            return shard -> store.setRate(shard, share);
        });
    }

    @Override
    public void setGroupConcurrency(String queue, Integer limit) {
        each(queue, n -> shard -> store.setGroupConcurrency(shard, limit));
    }

    @Override
    public void setPaused(String queue, boolean paused) {
        each(queue, n -> shard -> store.setPaused(shard, paused));
    }

    /** Applies to every shard what {@code perShard} makes of the shard count. */
    private void each(String queue, Function<Integer, java.util.function.Consumer<String>> perShard) {
        List<String> all = shards.forReading(queue);
        java.util.function.Consumer<String> action = perShard.apply(all.size());
        all.forEach(action);
    }

    private static int ceilDiv(int limit, int n) {
        return (limit + n - 1) / n;
    }

    @Override
    public List<String> agreeShards(String queue, int n) {
        return store.agreeShards(queue, n);
    }

    @Override
    public List<String> recordedShards(String queue) {
        return store.recordedShards(queue);
    }
}

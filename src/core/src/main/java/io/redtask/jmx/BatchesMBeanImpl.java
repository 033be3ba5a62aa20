package io.redtask.jmx;

import io.redtask.BatchCounts;
import io.redtask.BatchStatus;
import io.redtask.RedTaskAdmin;

import java.util.List;

/** A queue's batches MBean: each read goes to Redis (operators read it by hand, not in a loop). */
final class BatchesMBeanImpl implements BatchesMXBean {

    /** The most batches an attribute lists. */
    private static final int MAX_LISTED = 100;

    private final RedTaskAdmin admin;
    private final String queue;

    BatchesMBeanImpl(RedTaskAdmin admin, String queue) {
        this.admin = admin;
        this.queue = queue;
    }

    private BatchCounts counts() {
        return admin.batchCounts().stream()
                .filter(c -> c.queue().equals(queue))
                .findFirst()
                .orElse(new BatchCounts(queue, 0, 0));
    }

    @Override
    public long getRunning() {
        return counts().running();
    }

    @Override
    public long getDoneTotal() {
        return counts().doneTotal();
    }

    @Override
    public String[] getRunningBatches() {
        return lines(false);
    }

    @Override
    public String[] getDoneBatches() {
        return lines(true);
    }

    private String[] lines(boolean done) {
        List<BatchStatus> batches = admin.batches(queue, MAX_LISTED);
        return batches.stream()
                .filter(b -> b.done() == done)
                .map(b -> b.id() + " total=" + b.total() + " pending=" + b.pending() + " succeeded=" + b.succeeded()
                        + " dead=" + b.dead() + " cancelled=" + b.cancelled()
                        + (b.onComplete() == null ? "" : " onComplete=" + b.onComplete()))
                .toArray(String[]::new);
    }
}

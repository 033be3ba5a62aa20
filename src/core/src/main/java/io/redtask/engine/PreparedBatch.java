package io.redtask.engine;

import io.redtask.BatchReceipt;
import io.redtask.store.NewTask;

import java.util.List;

/**
 * A batch that was checked and given its ids but not stored yet: what a transactional submit
 * holds until its transaction commits ({@link RedTaskEngine#prepareBatch},
 * {@link RedTaskEngine#storeBatch}).
 */
public final class PreparedBatch {

    private final String id;
    private final String queue;
    private final List<NewTask> members;
    private final NewTask callback;

    PreparedBatch(String id, String queue, List<NewTask> members, NewTask callback) {
        this.id = id;
        this.queue = queue;
        this.members = List.copyOf(members);
        this.callback = callback;
    }

    /** The id the batch will have once stored. */
    public String id() {
        return id;
    }

    /** What the submit will answer: the batch's id, its members' ids, its callback's id. */
    public BatchReceipt receipt() {
        return new BatchReceipt(
                id, members.stream().map(NewTask::id).toList(), callback == null ? null : callback.id());
    }

    String queue() {
        return queue;
    }

    List<NewTask> members() {
        return members;
    }

    NewTask callback() {
        return callback;
    }
}

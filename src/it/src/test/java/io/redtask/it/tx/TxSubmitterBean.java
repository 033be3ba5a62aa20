package io.redtask.it.tx;

import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskScheduler;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

import java.util.List;

/** Container-managed transactions: submits, then commits or rolls back. */
@Stateless
public class TxSubmitterBean {

    @Inject
    TaskScheduler scheduler;

    @Resource
    SessionContext context;

    /** Submits, then marks the transaction for rollback. @return the id the submit returned */
    public String submitThenRollBack(String marker) {
        String id = scheduler.submit(TxProbeHandler.TYPE, marker);
        context.setRollbackOnly();
        return id;
    }

    /** Submits with {@link SubmitOptions#immediate()}, then rolls back: stored all the same. */
    public String submitImmediatelyThenRollBack(String marker) {
        String id = scheduler.submit(TxProbeHandler.TYPE, marker, SubmitOptions.immediate());
        context.setRollbackOnly();
        return id;
    }

    /** Submits and commits. */
    public String submitAndCommit(String marker) {
        return scheduler.submit(TxProbeHandler.TYPE, marker);
    }

    /** Submits a batch of two tasks, then marks the transaction for rollback. @return the batch's id */
    public String batchThenRollBack(String marker) {
        String id = scheduler.submitBatch(
                List.of(Submission.of(TxProbeHandler.TYPE, marker), Submission.of(TxProbeHandler.TYPE, marker)), null);
        context.setRollbackOnly();
        return id;
    }

    /** Submits a batch of two tasks and commits. @return the batch's id */
    public String batchAndCommit(String marker) {
        return scheduler.submitBatch(
                List.of(Submission.of(TxProbeHandler.TYPE, marker), Submission.of(TxProbeHandler.TYPE, marker)), null);
    }
}

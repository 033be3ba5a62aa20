package io.redtask.it.tx;

import io.redtask.TaskScheduler;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import jakarta.transaction.UserTransaction;

import java.util.concurrent.locks.LockSupport;

/** Bean-managed transactions: the test sees what is visible before and after the commit. */
@Stateless
@TransactionManagement(TransactionManagementType.BEAN)
public class BeanManagedTxBean {

    @Inject
    TaskScheduler scheduler;

    @Resource
    UserTransaction tx;

    /** What a bean-managed transaction saw: the id, whether the task existed before the commit, and when the commit began. */
    public record Outcome(String id, boolean visibleBeforeCommit, long commitStartedNanos) {}

    /** Begins, submits, keeps the transaction open for {@code holdMillis} (as slow work would), commits. */
    public Outcome submitInTransaction(String marker, long holdMillis) throws Exception {
        tx.begin();
        String id = scheduler.submit(TxProbeHandler.TYPE, marker);
        LockSupport.parkNanos(holdMillis * 1_000_000);
        boolean visible = scheduler.status(id).isPresent();
        long commitStarted = System.nanoTime();
        tx.commit();
        return new Outcome(id, visible, commitStarted);
    }
}

package io.redtask.it;

import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.it.tx.BeanManagedTxBean;
import io.redtask.it.tx.TxProbeHandler;
import io.redtask.it.tx.TxSubmitterBean;
import jakarta.ejb.EJBException;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In-container: a submit made inside a JTA transaction is stored when the transaction commits,
 * and not at all when it rolls back; the handler never starts before the commit.
 */
@ExtendWith(ArquillianExtension.class)
class TransactionalSubmitIT {

    @Deployment
    static EnterpriseArchive deployment() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "tx-it.war")
                .addClasses(
                        TransactionalSubmitIT.class,
                        TxSubmitterBean.class,
                        BeanManagedTxBean.class,
                        BeanManagedTxBean.Outcome.class,
                        TxProbeHandler.class)
                .addAsLibraries(Deployments.testLibraries())
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        return Deployments.ear("transactional-submit-it", war, "/tx-it");
    }

    @Inject
    TxSubmitterBean containerManaged;

    @Inject
    BeanManagedTxBean beanManaged;

    @Inject
    TaskScheduler scheduler;

    @Test
    void aSubmitWhoseTransactionRollsBackIsNeverStoredAndNeverRuns() {
        String marker = "rolled-back-" + System.nanoTime();
        String id;
        try {
            id = containerManaged.submitThenRollBack(marker);
        } catch (EJBException e) {
            throw new AssertionError("setRollbackOnly must not surface as an exception", e);
        }
        // A task submitted afterwards and committed runs: once it has, the rolled-back one had every chance to.
        String later = containerManaged.submitAndCommit(marker + "-later");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.status(later).map(s -> s.state()).orElse(null) == TaskState.SUCCEEDED);
        assertTrue(scheduler.status(id).isEmpty(), "the rolled-back task exists");
        assertEquals(0, TxProbeHandler.runs(marker), "the rolled-back task ran");
    }

    @Test
    void aSubmitWhoseTransactionCommitsRunsOnce() {
        String marker = "committed-" + System.nanoTime();
        String id = containerManaged.submitAndCommit(marker);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.status(id).map(s -> s.state()).orElse(null) == TaskState.SUCCEEDED);
        assertEquals(1, TxProbeHandler.runs(marker));
    }

    @Test
    void aBatchIsStoredAtTheCommitAndNotAfterARollback() {
        String marker = "batch-" + System.nanoTime();
        String rolledBack = containerManaged.batchThenRollBack(marker + "-rolled-back");
        String committed = containerManaged.batchAndCommit(marker);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.batch(committed).map(b -> b.done()).orElse(false));
        assertEquals(2, scheduler.batch(committed).orElseThrow().succeeded());
        assertEquals(2, TxProbeHandler.runs(marker));
        assertTrue(scheduler.batch(rolledBack).isEmpty(), "the rolled-back batch exists");
        assertEquals(0, TxProbeHandler.runs(marker + "-rolled-back"), "a task of the rolled-back batch ran");
    }

    @Test
    void anImmediateSubmitIsStoredEvenWhenItsTransactionRollsBack() {
        String marker = "immediate-" + System.nanoTime();
        String id = containerManaged.submitImmediatelyThenRollBack(marker);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.status(id).map(s -> s.state()).orElse(null) == TaskState.SUCCEEDED);
    }

    @Test
    void aBeanManagedTransactionsTaskIsVisibleOnlyAfterTheCommitAndStartsAfterIt() throws Exception {
        String marker = "bmt-" + System.nanoTime();
        BeanManagedTxBean.Outcome outcome = beanManaged.submitInTransaction(marker, 500);
        assertFalse(outcome.visibleBeforeCommit(), "the task was visible before the commit");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.status(outcome.id()).map(s -> s.state()).orElse(null) == TaskState.SUCCEEDED);
        long startedAfterCommit = TxProbeHandler.started(marker) - outcome.commitStartedNanos();
        assertTrue(
                startedAfterCommit > 0,
                "the handler started " + (-startedAfterCommit / 1_000_000) + " ms before the commit");
    }
}

package io.redtask.it;

import io.redtask.InvalidRequestException;
import io.redtask.RedTaskAdmin;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskResult;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import io.redtask.TaskType;
import io.redtask.UnknownTaskTypeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.naming.InitialContext;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RedTask seen from an application's code in a real server: the typed API, what its exceptions
 * do to enterprise beans and their transactions, a submit from a {@code @Startup} bean, and the
 * concurrency ceiling taken from the worker executor's own {@code concurrencyPolicy max}. The
 * application points {@code redtask.workers.executor} at {@code concurrent/limitProbe}, an
 * executor whose max is written as a number (3) in a configDropins file of the test server.
 */
@ExtendWith(ArquillianExtension.class)
class ApplicationSideIT {

    /** A payload as applications write them: a public record. */
    public record Greeting(String name, int times) {}

    /** A result record. */
    public record Greeted(String text, int attempt) {}

    /** A handler with record payload and result. */
    @ApplicationScoped
    @TaskType("greet")
    public static class Greet implements TaskHandler<Greeting, Greeted> {
        @Override
        public Greeted handle(Greeting g, TaskContext context) {
            return new Greeted(("hello " + g.name() + " ").repeat(g.times()).strip(), context.attempt());
        }
    }

    /** A handler whose enterprise bean throws NonRetryableException. */
    @ApplicationScoped
    @TaskType(value = "ejb-rejects", maxAttempts = 3)
    public static class CallsRejectingBean implements TaskHandler<String, Void> {
        @Inject
        EjbProbe bean;

        @Override
        public Void handle(String why, TaskContext context) {
            bean.reject(why);
            return null;
        }
    }

    /** What the @Startup bean submits. */
    @ApplicationScoped
    @TaskType("startup-probe")
    public static class StartupProbe implements TaskHandler<String, String> {
        @Override
        public String handle(String payload, TaskContext context) {
            return payload;
        }
    }

    @Deployment
    static EnterpriseArchive deployment() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "application-side.war")
                .addClasses(
                        ApplicationSideIT.class,
                        Greeting.class,
                        Greeted.class,
                        Greet.class,
                        CallsRejectingBean.class,
                        StartupProbe.class,
                        EjbProbe.class,
                        StartupSubmitter.class)
                .addAsLibraries(Deployments.testLibraries())
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        // The application's own MicroProfile Config: in a jar of the EAR's lib/, where RedTask reads it.
        JavaArchive config = ShrinkWrap.create(JavaArchive.class, "application-side-config.jar")
                .addAsManifestResource(
                        new StringAsset("redtask.workers.executor=concurrent/limitProbe\n"),
                        "microprofile-config.properties");
        return Deployments.ear("application-side-it", war, "/application-side").addAsLibrary(config);
    }

    @Inject
    TaskScheduler scheduler;

    @Inject
    RedTaskAdmin admin;

    @Inject
    EjbProbe probe;

    @Inject
    StartupSubmitter startup;

    /** How long a task may take here. */
    private static final long WAIT_SECONDS = 10;

    @Test
    void aTypedSubmitRunsAndItsResultIsReadBackTyped() throws Exception {
        String id = scheduler.submit(Greet.class, new Greeting("ada", 2));

        TaskResult<Greeted> done =
                scheduler.whenFinished(id, Greeted.class).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals(new Greeted("hello ada hello ada", 1), done.orElseThrow());
        assertEquals(
                done.value(), scheduler.result(id, Greeted.class).orElseThrow().value());
    }

    @Test
    void anUnknownTypeLeavesAnEnterpriseBeanAsItselfAndRollsItsTransactionBack() throws Exception {
        UserTransaction transaction = (UserTransaction) new InitialContext().lookup("java:comp/UserTransaction");
        transaction.begin();
        try {
            UnknownTaskTypeException e = assertThrows(
                    UnknownTaskTypeException.class,
                    probe::submitUnknownType,
                    "an application exception reaches the caller unwrapped (no EJBException)");
            assertEquals("no-such-type", e.type());
            assertEquals(Status.STATUS_MARKED_ROLLBACK, transaction.getStatus(), "rollback = true");
        } finally {
            transaction.rollback();
        }
        // The bean instance was not discarded as after a system exception: the same call behaves the same.
        assertThrows(UnknownTaskTypeException.class, probe::submitUnknownType);
    }

    @Test
    void aNonRetryableExceptionFromAnEnterpriseBeanMakesTheTaskDeadAtOnce() throws Exception {
        String id = scheduler.submit(CallsRejectingBean.class, "the customer is gone");

        TaskStatus done = scheduler.whenFinished(id).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals(TaskState.DEAD, done.state());
        assertEquals(1, done.attempts(), "not retried: the bean's exception arrived as NonRetryableException");
        assertTrue(done.error().contains("the customer is gone"), done.error());
    }

    @Test
    void aStartupBeansSubmitIsNotWarnedAboutAndRuns() throws Exception {
        assertEquals(List.of(), startup.warnings(), "warnings while the application started");

        TaskStatus done =
                scheduler.whenFinished(startup.taskId()).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(TaskState.SUCCEEDED, done.state());
    }

    @Test
    void theConcurrencyCeilingIsTheWorkerExecutorsOwnLimit() {
        assertEquals(3, admin.maxConcurrency(), "concurrencyPolicy max of concurrent/limitProbe");
        assertEquals(3, admin.concurrency(), "the default concurrency (8) is lowered to the ceiling");

        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> admin.setConcurrency(4));
        assertEquals("concurrency", e.field());
        admin.setConcurrency(2);
        assertEquals(2, admin.concurrency());
        admin.setConcurrency(3);
    }
}

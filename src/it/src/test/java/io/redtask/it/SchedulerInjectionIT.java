package io.redtask.it;

import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.TaskStatus;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * In-container: an enterprise bean in an EAR's war injects {@link TaskScheduler} (from the library
 * in the EAR's lib/), submits, and a handler bean of the same war runs on a Liberty managed
 * thread with the application's Jakarta EE context.
 */
@ExtendWith(ArquillianExtension.class)
class SchedulerInjectionIT {

    @Deployment
    static EnterpriseArchive deployment() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "context-probe.war")
                .addClasses(
                        SchedulerInjectionIT.class,
                        SubmitterBean.class,
                        ContextProbeHandler.class,
                        Greeter.class,
                        GreetingHandler.class)
                .addAsLibraries(Deployments.testLibraries())
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        return Deployments.ear("scheduler-injection-it", war, "/context-probe");
    }

    @Inject
    SubmitterBean submitter;

    @Inject
    TaskScheduler scheduler;

    @Inject
    Greeter greeter;

    @Test
    void aTaskSubmittedByAnEnterpriseBeanRunsWithTheApplicationsContext() {
        assertNotNull(scheduler, "TaskScheduler was not injected into the test");
        String id = submitter.submitProbe();
        assertNotNull(id, "submit returned no id");

        TaskStatus done = await("task " + id + " to finish")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> scheduler.status(id),
                        s -> s.isPresent() && s.get().state().isFinal())
                .orElseThrow();

        assertEquals(TaskState.SUCCEEDED, done.state(), () -> "task did not succeed: " + done);
        assertNotNull(done.result(), () -> "no result: " + done);
        JsonObject result;
        try (JsonReader reader = Json.createReader(new StringReader(done.result()))) {
            result = reader.readValue().asJsonObject();
        }
        assertEquals(
                "ok",
                result.getString("lookup", null),
                () -> "java:comp lookup failed on the worker thread: " + done.result());
        assertEquals(
                "ok",
                result.getString("classLoader", null),
                () -> "the worker thread does not have the application's class loader: " + done.result());
        assertNotEquals(
                Thread.currentThread().getName(),
                result.getString("thread", ""),
                () -> "the handler ran on the submitting thread: " + done.result());
    }

    /** A handler whose work is done by a bean CDI injects into it: the application's own instance. */
    @Test
    void aHandlerUsesTheBeansInjectedIntoIt() {
        int before = greeter.greetings();
        String id = scheduler.submit(GreetingHandler.TYPE, "world");
        TaskStatus done = await("task " + id + " to finish")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> scheduler.status(id),
                        s -> s.isPresent() && s.get().state().isFinal())
                .orElseThrow();
        assertEquals(TaskState.SUCCEEDED, done.state(), () -> "task did not succeed: " + done);
        assertEquals("\"hello world (greeting " + (before + 1) + ")\"", done.result());
        assertEquals(
                before + 1, greeter.greetings(), "the handler used the application's Greeter, the one injected here");
    }
}

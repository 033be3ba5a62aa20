package io.redtask.it;

import io.redtask.Recurring;
import io.redtask.ScheduleInfo;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskEvent;
import io.redtask.TaskHandler;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In a real server, in an EAR with the library in lib/: a schedule declared with {@link Recurring}
 * on a handler of the war fires, and an observer in the war hears the library's {@link TaskEvent}s.
 */
@ExtendWith(ArquillianExtension.class)
// In a random order on every run: each test stands on its own (the default order once hid a dependency).
@TestMethodOrder(MethodOrderer.Random.class)
class RecurringAndEventsIT {

    @Deployment
    static EnterpriseArchive deployment() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "recurring.war")
                .addClasses(RecurringAndEventsIT.class, EverySecond.class, Flaky.class, EventLog.class)
                .addAsLibraries(Deployments.testLibraries())
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
        return Deployments.ear("recurring-and-events-it", war, "/recurring");
    }

    /** Fires every second on whichever server gets there first. */
    @ApplicationScoped
    @TaskType("it-every-second")
    @Recurring(name = "it-every-second", cron = "* * * * * *", payload = "{\"from\":\"cron\"}")
    public static class EverySecond implements TaskHandler<Object, String> {
        @Override
        public String handle(Object payload, TaskContext context) {
            return "tick";
        }
    }

    /** Fails its first attempt. */
    @ApplicationScoped
    @TaskType(value = "it-flaky", maxAttempts = 2, backoff = "PT0.1S")
    public static class Flaky implements TaskHandler<Object, String> {
        @Override
        public String handle(Object payload, TaskContext context) {
            if (context.attempt() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            return "ok";
        }
    }

    /** Collects the events the library fires (read it through a method: a field read would hit the CDI proxy). */
    @ApplicationScoped
    public static class EventLog {
        private final List<TaskEvent> events = new CopyOnWriteArrayList<>();

        void on(@Observes TaskEvent event) {
            events.add(event);
        }

        List<TaskEvent> events() {
            return events;
        }
    }

    @Inject
    TaskScheduler scheduler;

    @Inject
    EventLog log;

    /**
     * The schedule the application saved when it started, and its firings. This test alone removes
     * it (schedules outlive the application in Redis), when it is done with it: no other test of
     * the class depends on it, in whatever order they run.
     */
    @Test
    void aRecurringAnnotationSchedulesTasksThatRun() {
        try {
            ScheduleInfo schedule = scheduler.schedules().stream()
                    .filter(s -> s.name().equals("it-every-second"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("@Recurring schedule not saved: " + scheduler.schedules()));
            assertEquals("{\"from\":\"cron\"}", schedule.payloadJson());
            assertEquals("* * * * * *", schedule.cron());
            // Two successive slots fired and ran here (it is the only server with this handler).
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> log.events().stream()
                                    .filter(e ->
                                            e.type().equals("it-every-second") && e.kind() == TaskEvent.Kind.SUCCEEDED)
                                    .count()
                            >= 2);
            TaskEvent fired = log.events().stream()
                    .filter(e -> e.type().equals("it-every-second"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("\"tick\"", fired.resultJson());
        } finally {
            scheduler.unschedule("it-every-second");
        }
        assertTrue(scheduler.schedules().stream().noneMatch(s -> s.name().equals("it-every-second")));
    }

    @Test
    void observersInTheWarHearRetriesAndSuccesses() {
        String id = scheduler.submit("it-flaky", null, SubmitOptions.defaults());
        await().atMost(Duration.ofSeconds(15))
                .until(() -> scheduler.status(id).orElseThrow().state() == TaskState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        log.events().stream().filter(e -> e.taskId().equals(id)).count() == 2);
        List<TaskEvent.Kind> kinds = log.events().stream()
                .filter(e -> e.taskId().equals(id))
                .sorted(java.util.Comparator.comparingInt(TaskEvent::attempt))
                .map(TaskEvent::kind)
                .toList();
        assertEquals(List.of(TaskEvent.Kind.FAILED_WILL_RETRY, TaskEvent.Kind.SUCCEEDED), kinds);
    }
}

package io.redtask.testing;

import io.redtask.InvalidRequestException;
import io.redtask.NonRetryableException;
import io.redtask.RedTaskAdmin;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.TaskContext;
import io.redtask.TaskEvent;
import io.redtask.TaskFailedException;
import io.redtask.TaskHandler;
import io.redtask.TaskResult;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.TaskType;
import io.redtask.UnknownTaskTypeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed API end to end on a real engine and redis-server, as an application's test would use it. */
public class LocalRedTaskTest {

    public record Order(String id, int quantity) {}

    public record Confirmation(String orderId, int items, int attempt) {}

    @TaskType("confirm-order")
    static class ConfirmOrder implements TaskHandler<Order, Confirmation> {
        @Override
        public Confirmation handle(Order order, TaskContext context) {
            if (order.quantity() < 1) {
                throw new NonRetryableException("nothing to confirm in " + order.id());
            }
            return new Confirmation(order.id(), order.quantity(), context.attempt());
        }
    }

    @TaskType("unregistered")
    static class Unregistered implements TaskHandler<String, Void> {
        @Override
        public Void handle(String payload, TaskContext context) {
            return null;
        }
    }

    static class NotAnnotated implements TaskHandler<String, Void> {
        @Override
        public Void handle(String payload, TaskContext context) {
            return null;
        }
    }

    @RegisterExtension
    static LocalRedTask redtask = LocalRedTask.withHandlers(new ConfirmOrder());

    @Test
    void aTypedSubmitRunsTheHandlerAndItsResultIsReadBackTyped(TaskScheduler scheduler) {
        String id = scheduler.submit(ConfirmOrder.class, new Order("o-1", 3));

        Confirmation confirmation = redtask.await(id, Confirmation.class).orElseThrow();

        assertEquals(new Confirmation("o-1", 3, 1), confirmation);
        TaskResult<Confirmation> read = scheduler.result(id, Confirmation.class).orElseThrow();
        assertTrue(read.succeeded());
        assertEquals(confirmation, read.value());
        assertEquals("confirm-order", read.status().type());
    }

    @Test
    void whenFinishedWithATypeCompletesWithTheResult(TaskScheduler scheduler) throws Exception {
        String id = scheduler.submit(
                ConfirmOrder.class,
                new Order("o-2", 1),
                SubmitOptions.builder().priority(5).build());

        TaskResult<Confirmation> done = scheduler
                .whenFinished(id, Confirmation.class)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertEquals("o-2", done.orElseThrow().orderId());
    }

    @Test
    void aDeadTaskHasNoValueAndOrElseThrowSaysWhy(TaskScheduler scheduler) {
        String id = scheduler.submit(ConfirmOrder.class, new Order("o-3", 0));

        TaskResult<Confirmation> done = redtask.await(id, Confirmation.class);

        assertEquals(TaskState.DEAD, done.state());
        assertNull(done.value());
        TaskFailedException e = assertThrows(TaskFailedException.class, done::orElseThrow);
        assertTrue(e.getMessage().contains("nothing to confirm in o-3"), e.getMessage());
        assertEquals(id, e.status().id());
        // Announced by the worker after the outcome is in Redis, where await saw it.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> redtask.events().stream()
                        .anyMatch(ev -> ev.taskId().equals(id) && ev.kind() == TaskEvent.Kind.DEAD));
    }

    @Test
    void typedSubmissionsGoInBatches(TaskScheduler scheduler) {
        List<String> ids = scheduler.submitAll(List.of(
                Submission.of(ConfirmOrder.class, new Order("o-4", 1)),
                Submission.of(ConfirmOrder.class, new Order("o-5", 2), SubmitOptions.defaults())));

        assertEquals(
                2, redtask.await(ids.get(1), Confirmation.class).orElseThrow().items());
    }

    @Test
    void aClassWithoutTaskTypeOrWithoutHandlerIsRefusedAtSubmit(TaskScheduler scheduler) {
        InvalidRequestException missing =
                assertThrows(InvalidRequestException.class, () -> scheduler.submit(NotAnnotated.class, "x"));
        assertEquals("type", missing.field());
        assertTrue(missing.getMessage().contains("has no @TaskType"), missing.getMessage());

        UnknownTaskTypeException unknown =
                assertThrows(UnknownTaskTypeException.class, () -> scheduler.submit(Unregistered.class, "x"));
        assertEquals("unregistered", unknown.type());
    }

    @Test
    void theAdminOfTheTestEngineIsInjectedToo(RedTaskAdmin admin) {
        assertEquals(4, admin.concurrency());
        assertTrue(redtask.redisUrl().startsWith("redis://127.0.0.1:"));
    }
}

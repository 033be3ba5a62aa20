package io.redtask.testing;

import io.redtask.RedTaskAdmin;
import io.redtask.TaskEvent;
import io.redtask.TaskHandler;
import io.redtask.TaskResult;
import io.redtask.TaskScheduler;
import io.redtask.TaskStatus;
import io.redtask.engine.EngineBuilder;
import io.redtask.engine.EngineSettings;
import io.redtask.engine.HandlerRegistration;
import io.redtask.engine.RedTaskEngine;
import io.redtask.engine.TaskListener;
import io.redtask.redis.Keys;
import io.redtask.redis.RedisStorage;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JUnit 5 extension that runs RedTask for a test class without Liberty: a real
 * {@code redis-server} on a free loopback port and an engine with the handlers you give it,
 * started before the class's first test and stopped after its last. Handlers are plain objects
 * (no CDI): build them with whatever they need. A test submits through {@link #scheduler()}
 * exactly as application code does, and the tasks run on worker threads as they would on a
 * server.
 *
 * <pre>{@code
 * class SendInvoiceTest {
 *     @RegisterExtension
 *     static LocalRedTask redtask = LocalRedTask.withHandlers(new SendInvoice());
 *
 *     @Test
 *     void sendsTheInvoice(TaskScheduler scheduler) {
 *         String id = scheduler.submit(SendInvoice.class, new Invoice("INV-1", "ada@example.com", 120));
 *         Receipt receipt = redtask.await(id, Receipt.class).orElseThrow();
 *         assertEquals("INV-1", receipt.invoiceId());
 *     }
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field to share one Redis and engine among the class's tests
 * (an instance field gets a fresh pair for each test). Test methods may declare parameters of type
 * {@link TaskScheduler}, {@link RedTaskAdmin} or {@code LocalRedTask}. Needs {@code redis-server}
 * on the {@code PATH} (Debian: {@code apt-get install redis-server}).
 */
public final class LocalRedTask
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final Set<Class<?>> INJECTABLE = Set.of(TaskScheduler.class, RedTaskAdmin.class, LocalRedTask.class);

    private final List<TaskHandler<?, ?>> handlers;
    private final List<String> queues = new ArrayList<>(List.of("default"));
    private int concurrency = 4;
    private Duration timeout = Duration.ofSeconds(10);
    private final List<TaskEvent> events = new CopyOnWriteArrayList<>();
    private Running running;
    private boolean perTest;

    private LocalRedTask(List<TaskHandler<?, ?>> handlers) {
        this.handlers = List.copyOf(handlers);
    }

    /**
     * An extension whose engine runs these handlers, each under the name of its class's
     * {@link io.redtask.TaskType}.
     *
     * @param handlers handler objects whose classes are annotated with {@link io.redtask.TaskType}
     * @return the extension, to register with {@code @RegisterExtension}
     */
    public static LocalRedTask withHandlers(TaskHandler<?, ?>... handlers) {
        return new LocalRedTask(List.of(handlers));
    }

    /**
     * The queues the engine's workers take tasks from ({@code default} unless set).
     *
     * @param names queue names
     * @return this extension
     */
    public LocalRedTask queues(String... names) {
        queues.clear();
        queues.addAll(List.of(names));
        return this;
    }

    /**
     * How many tasks run at once (4 unless set).
     *
     * @param tasks 1 or more
     * @return this extension
     */
    public LocalRedTask concurrency(int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + tasks);
        }
        this.concurrency = tasks;
        return this;
    }

    /**
     * How long {@link #await(String)} waits for a task before it fails the test (10 seconds unless set).
     *
     * @param wait the longest wait
     * @return this extension
     */
    public LocalRedTask awaitTimeout(Duration wait) {
        this.timeout = wait;
        return this;
    }

    /**
     * The scheduler, as an application injects it.
     *
     * @return the running engine's scheduler
     * @throws IllegalStateException outside the tests of the class that registered the extension
     */
    public TaskScheduler scheduler() {
        return running().engine;
    }

    /**
     * The operators' functions: queues, dead tasks, this engine's workers.
     *
     * @return the running engine's admin
     * @throws IllegalStateException outside the tests of the class that registered the extension
     */
    public RedTaskAdmin admin() {
        return running().engine.admin();
    }

    /**
     * The Redis URL of the test's redis-server, to point other clients at it.
     *
     * @return {@code redis://127.0.0.1:<port>}
     */
    public String redisUrl() {
        return running().redis.url();
    }

    /**
     * What happened to tasks since the extension started, in the order the engine recorded it
     * (attempts of one task may be recorded out of order by different worker threads: see
     * {@link TaskEvent}). A worker announces an outcome after it is in Redis, so right after
     * {@link #await(String)} has seen a task end, its last event may still be on its way: wait
     * for it (Awaitility) rather than read the list at once.
     *
     * @return the events so far; the list keeps growing
     */
    public List<TaskEvent> events() {
        return events;
    }

    /**
     * Waits until the task has finished.
     *
     * @param id the task's id
     * @return the task as it ended
     * @throws AssertionError when it has not finished within the await timeout, or does not exist
     */
    public TaskStatus await(String id) {
        try {
            return scheduler().whenFinished(id).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "task " + id + " did not finish within " + timeout + "; it is "
                            + scheduler()
                                    .status(id)
                                    .map(s -> s.state().wireName() + ", " + s.attempts() + " attempts"
                                            + (s.error() != null ? ", last error: " + s.error() : ""))
                                    .orElse("gone"),
                    e);
        } catch (ExecutionException e) {
            throw new AssertionError("task " + id + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for task " + id, e);
        }
    }

    /**
     * Waits until the task has finished and reads its result into {@code resultType}.
     *
     * @param <R>        the result type
     * @param id         the task's id
     * @param resultType the handler's result class
     * @return the task as it ended, with its result ({@link TaskResult#orElseThrow()} gives it)
     * @throws AssertionError when it has not finished within the await timeout, or does not exist
     */
    public <R> TaskResult<R> await(String id, Class<R> resultType) {
        return TaskResult.of(await(id), resultType);
    }

    // ---------------------------------------------------------------- JUnit

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (running == null) {
            perTest = true;
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return INJECTABLE.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == TaskScheduler.class) {
            return scheduler();
        }
        return type == RedTaskAdmin.class ? admin() : this;
    }

    // ---------------------------------------------------------------- engine

    private Running running() {
        if (running == null) {
            throw new IllegalStateException("LocalRedTask is not running: register it with @RegisterExtension "
                    + "and use it from the tests of that class");
        }
        return running;
    }

    private void start() {
        RedisServer redis = RedisServer.start(false);
        try {
            running = Running.start(redis, settings(), handlers, events::add);
        } catch (RuntimeException | Error e) {
            redis.close();
            throw e;
        }
    }

    private EngineSettings settings() {
        return EngineSettings.builder("test-" + UUID.randomUUID().toString().substring(0, 8))
                .queues(List.copyOf(queues))
                .concurrency(concurrency)
                .maxConcurrency(concurrency)
                // Short blocking waits: a test's engine stops within this much.
                .pollInterval(Duration.ofMillis(200))
                .shutdownGrace(Duration.ofSeconds(5))
                .build();
    }

    private void stop() {
        Running r = running;
        running = null;
        if (r != null) {
            r.close();
        }
    }

    /** A started redis-server, the engine on it, and the engine's threads and connections. */
    private record Running(RedisServer redis, RedTaskEngine engine, TestExecutors executors, RedisStorage storage) {

        static Running start(
                RedisServer redis, EngineSettings settings, List<TaskHandler<?, ?>> handlers, TaskListener listener) {
            TestExecutors executors = new TestExecutors(settings.fetchers());
            RedisStorage storage = RedisStorage.open(
                    redis.url(),
                    settings.concurrency() + settings.fetchers() + 8,
                    Duration.ofSeconds(2),
                    new Keys("redtask"),
                    settings);
            try {
                EngineBuilder builder = RedTaskEngine.builder()
                        .storage(storage)
                        .settings(settings)
                        .workers(executors.workers())
                        .housekeeping(executors.housekeeping())
                        .listener(listener);
                handlers.forEach(h -> builder.handler(HandlerRegistration.of(h)));
                RedTaskEngine engine = builder.build();
                engine.start();
                return new Running(redis, engine, executors, storage);
            } catch (RuntimeException | Error e) {
                executors.close();
                storage.close();
                throw e;
            }
        }

        /** Stops the engine (it hands unfinished tasks back), its threads, its connections and Redis. */
        void close() {
            try {
                engine.stop();
                engine.awaitLoops(Duration.ofSeconds(5));
                executors.close();
                storage.close();
            } finally {
                redis.close();
            }
        }
    }
}

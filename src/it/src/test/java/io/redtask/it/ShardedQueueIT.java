package io.redtask.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A queue spread over shards on Liberty: one application serves {@value #QUEUE} with
 * {@code redtask.queue.<q>.shards=3} (from its META-INF/microprofile-config.properties); the real
 * war at "/", which has no shards setting, submits to it over REST. The tasks land in all three
 * shards (the submitter follows the layout the serving server recorded), run, and everything a
 * user sees - the task JSON, the handler's queue, the queue's figures - names the queue, and no
 * shard's name shows in /metrics.
 */
@ExtendWith(ArquillianExtension.class)
class ShardedQueueIT {

    private static final String QUEUE = "it-sharded";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int TASKS = 30;

    @Deployment(name = "main", order = 1, testable = false)
    static EnterpriseArchive main() {
        WebArchive war = ShrinkWrap.createFromZipFile(WebArchive.class, Deployments.webWar())
                .addClasses(OtherServerWork.class);
        return Deployments.ear("sharded-main-it", war, "/");
    }

    @Deployment(name = "sharded", order = 2, testable = false)
    static EnterpriseArchive sharded() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "sharded.war")
                .addClasses(OtherServerWork.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .addAsResource(new StringAsset("""
                        redtask.node-id=it-sharded
                        redtask.queues=%s
                        redtask.queue.%s.shards=3
                        """.formatted(QUEUE, QUEUE)), "META-INF/microprofile-config.properties");
        return Deployments.ear("sharded-it", war, "/sharded");
    }

    @ArquillianResource
    @OperateOnDeployment("main")
    URL base;

    @Test
    void tasksSubmittedOverRestSpreadOverTheShardsRunAndShowTheQueue() throws Exception {
        ItSupport.Client admin = new ItSupport.Client(base, ItSupport.admin());
        // The serving application records its layout as it starts; a submit before that would go
        // to the queue alone (still run, but not spread).
        await("the sharded queue is served")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> admin.get("api/queues/" + QUEUE).statusCode() == 200);
        long before = admin.getObject("api/queues/" + QUEUE)
                .getJsonNumber("completed")
                .longValue();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            ids.add(admin.object(
                            admin.post(
                                    "api/tasks",
                                    "{\"type\":\"" + OtherServerWork.TYPE + "\",\"queue\":\"" + QUEUE
                                            + "\",\"payload\":" + i + "}"),
                            201)
                    .getString("id"));
        }
        assertEquals(
                3,
                ids.stream()
                        .map(id -> id.substring(0, id.lastIndexOf(':')))
                        .distinct()
                        .count(),
                () -> "three shards in the ids: " + ids);

        for (String id : ids) {
            JsonObject done = await("task " + id + " done")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> admin.getObject("api/tasks/" + id), t -> "succeeded".equals(t.getString("state")));
            assertEquals(QUEUE, done.getString("queue"), done::toString);
            assertEquals(QUEUE, done.getJsonObject("result").getString("queue"), "the handler's queue: " + done);
        }
        JsonObject queue = admin.getObject("api/queues/" + QUEUE);
        assertEquals(before + TASKS, queue.getJsonNumber("completed").longValue(), queue::toString);
        assertEquals(0, queue.getInt("ready"), queue::toString);

        String metrics = admin.get("metrics?scope=application").body();
        assertFalse(metrics.contains(QUEUE + "."), "no shard's name in /metrics");
    }
}

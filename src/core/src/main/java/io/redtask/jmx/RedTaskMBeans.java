package io.redtask.jmx;

import io.redtask.RedTaskAdmin;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Registers RedTask's MBeans on the platform MBean server (the one JConsole attaches to):
 * {@code io.redtask:type=Workers}, {@code io.redtask:type=Cluster} and one
 * {@code io.redtask:type=Queue,name=<queue>} and one {@code io.redtask:type=Batches,name=<queue>} per queue, and unregisters them on {@link #close()}.
 */
public final class RedTaskMBeans implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedTaskMBeans.class.getName());
    private static final String DOMAIN = "io.redtask";

    private static final Map<String, String> QUEUE_DESCRIPTIONS = Map.ofEntries(
            Map.entry("Ready", "Tasks waiting for a worker (all servers)"),
            Map.entry("Scheduled", "Tasks waiting for their time: delays, run-at times, retry backoff"),
            Map.entry("Running", "Tasks held by workers on any server"),
            Map.entry("Dead", "Tasks in the dead set: failed for good; retryDead() or purgeDead()"),
            Map.entry("Paused", "Whether the queue is paused on all servers"),
            Map.entry("ConcurrencyLimit", "Most tasks of this queue running at once across all servers; -1 for none"),
            Map.entry(
                    "RateLimit", "Most task starts in any window across all servers, such as 100/PT1S; empty for none"),
            Map.entry("GroupConcurrency", "Most running tasks of one group across all servers; -1 for none"),
            Map.entry("CompletedPerMinute", "Tasks completed in the last minute, all servers"),
            Map.entry("FailedPerMinute", "Failed attempts in the last minute, all servers"),
            Map.entry("CompletedTotal", "Tasks completed since the queue was created"),
            Map.entry("FailedTotal", "Failed attempts since the queue was created"),
            Map.entry("OldestWaitingMillis", "How long the next task to run has waited since it was submitted (ms)"),
            Map.entry("pause", "Stop every server from starting tasks of this queue; running tasks finish"),
            Map.entry("resume", "Let every server start tasks of this queue again"),
            Map.entry("retryDead", "Send all dead tasks back to the queue with fresh attempts; returns how many"),
            Map.entry("purgeDead", "Delete all dead tasks; returns how many"));
    private static final Map<String, String> WORKER_DESCRIPTIONS = Map.of(
            "Concurrency", "Tasks this server runs at once; writable, takes effect at once, at most MaxConcurrency",
            "MaxConcurrency",
                    "The worker ManagedExecutorService's limit (redtask.workers.max): the ceiling of Concurrency",
            "Busy", "Tasks running on this server now",
            "Paused", "Whether this server's workers are paused (other servers go on)",
            "NodeId", "This server's id in Redis",
            "Completed", "Tasks this server completed since it started",
            "Failed", "Failed attempts on this server since it started",
            "pause", "Stop this server's workers from starting tasks; running tasks finish",
            "resume", "Let this server's workers start tasks again");
    private static final Map<String, String> BATCH_DESCRIPTIONS = Map.of(
            "Running", "Batches of this queue with tasks that have not ended",
            "DoneTotal", "Batches of this queue whose tasks have all ended, callbacks released",
            "RunningBatches", "Running batches, oldest first: id total pending succeeded dead cancelled",
            "DoneBatches", "Batches done and still kept, newest first");
    private static final Map<String, String> CLUSTER_DESCRIPTIONS = Map.of(
            "Servers", "Servers running workers, from their heartbeats in Redis",
            "ServerCount", "How many servers are alive",
            "TotalConcurrency", "Tasks all servers can run at once",
            "TotalBusy", "Tasks running on all servers");

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final RedTaskAdmin admin;
    private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();

    public RedTaskMBeans(RedTaskAdmin admin) {
        this.admin = JmxBoundary.guard(admin);
    }

    /** Registers the server-wide MBeans and one per queue in {@code knownQueues}. */
    public void register(Collection<String> knownQueues) {
        register(
                name("type=Workers"),
                new DescribedMBean<>(
                        new WorkersMBeanImpl(admin),
                        WorkersMXBean.class,
                        "RedTask workers of this server",
                        WORKER_DESCRIPTIONS));
        register(
                name("type=Cluster"),
                new DescribedMBean<>(
                        new ClusterMBeanImpl(admin),
                        ClusterMXBean.class,
                        "RedTask servers alive",
                        CLUSTER_DESCRIPTIONS));
        addQueues(knownQueues);
    }

    /** Registers MBeans for queues not seen before (queues appear when first used). */
    public void addQueues(Collection<String> names) {
        for (String queue : names) {
            if (queues.add(queue)) {
                // Queue names are letters, digits, '_' and '-': safe in an ObjectName as they are.
                register(
                        name("type=Queue,name=" + queue),
                        new DescribedMBean<>(
                                new QueueMBeanImpl(admin, queue, System::nanoTime),
                                QueueMXBean.class,
                                "RedTask queue " + queue,
                                QUEUE_DESCRIPTIONS));
                register(
                        name("type=Batches,name=" + queue),
                        new DescribedMBean<>(
                                new BatchesMBeanImpl(admin, queue),
                                BatchesMXBean.class,
                                "RedTask batches of queue " + queue,
                                BATCH_DESCRIPTIONS));
            }
        }
    }

    private static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (JMException e) {
            throw new IllegalArgumentException("bad MBean name " + properties, e);
        }
    }

    private void register(ObjectName name, Object mbean) {
        try {
            server.registerMBean(mbean, name);
            registered.add(name);
        } catch (InstanceAlreadyExistsException e) {
            LOG.warning("RedTask: MBean " + name + " is already registered (another application on this server "
                    + "uses RedTask?); this application's is not");
        } catch (JMException e) {
            LOG.warning("RedTask: cannot register MBean " + name + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (JMException e) {
                LOG.fine(() -> "RedTask: MBean " + name + " was already gone");
            }
        }
        registered.clear();
        queues.clear();
    }
}

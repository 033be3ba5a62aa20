package io.redtask.bench;

import io.redtask.redis.RedisProbe;
import redis.clients.jedis.UnifiedJedis;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Where a measurement's CPU went: this JVM's process CPU time and the Redis server's
 * ({@code INFO cpu}: used_cpu_user + used_cpu_sys) over the measured interval, per task finished.
 * The two share the machine's cores, so their sum per task bounds what the machine can do; on a
 * Cluster (several servers) only the JVM's is reported.
 */
final class CpuUse {

    private final String url;
    private final long jvmNanos;
    private final double redisSeconds;

    private CpuUse(String url, long jvmNanos, double redisSeconds) {
        this.url = url;
        this.jvmNanos = jvmNanos;
        this.redisSeconds = redisSeconds;
    }

    /** The counters now. */
    static CpuUse begin(String url) {
        return new CpuUse(url, jvmCpuNanos(), redisCpuSeconds(url));
    }

    /** {@code ,"jvm_cpu_us_per_task":x,"redis_cpu_us_per_task":y} for {@code tasks} finished since begin. */
    String perTaskJson(int tasks) {
        if (tasks <= 0) {
            return "";
        }
        long jvmNow = jvmCpuNanos();
        double redisNow = redisCpuSeconds(url);
        String out = "";
        if (jvmNow >= 0 && jvmNanos >= 0) {
            out += String.format(Locale.ROOT, ",\"jvm_cpu_us_per_task\":%.1f", (jvmNow - jvmNanos) / 1e3 / tasks);
        }
        if (redisNow >= 0 && redisSeconds >= 0) {
            out += String.format(
                    Locale.ROOT, ",\"redis_cpu_us_per_task\":%.1f", (redisNow - redisSeconds) * 1e6 / tasks);
        }
        return out;
    }

    /** This JVM's CPU time so far (ns); -1 when the JVM does not tell. */
    static long jvmCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
    }

    /** The Redis server's CPU seconds so far; -1 for a Cluster URL or when INFO cannot be read. */
    static double redisCpuSeconds(String url) {
        if (url.startsWith("redis-cluster")) {
            return -1;
        }
        try (UnifiedJedis redis = RedisProbe.open(url)) {
            double total = 0;
            for (String line : redis.info("cpu").split("\\r?\\n")) {
                if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                    total += Double.parseDouble(
                            line.substring(line.indexOf(':') + 1).strip());
                }
            }
            return total;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}

package io.redtask.web.health;

import io.redtask.RedTaskHealth;
import io.redtask.RedisHealth;
import io.redtask.cdi.RedTaskConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;

/**
 * Readiness ({@code /health/ready}, check {@code redtask-redis}): DOWN while Redis does not
 * answer, so a load balancer stops sending submits that would fail with 503.
 *
 * <p>It also reads Redis's durability settings (CONFIG GET; skipped where CONFIG is forbidden):
 * <ul>
 *   <li>{@code maxmemory-policy} other than {@code noeviction}: Redis may evict task keys when
 *       full and tasks vanish without trace. DOWN, unless
 *       {@code redtask.health.require-noeviction=false} (then UP with a warning).</li>
 *   <li>{@code appendonly no} and {@code save ""}: Redis keeps nothing on disk and a restart
 *       loses every task. UP with a warning, or DOWN when
 *       {@code redtask.health.require-persistence=true}.</li>
 * </ul>
 * The data says what is wrong and how to fix it.
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements HealthCheck {

    static final String NAME = "redtask-redis";

    @Inject
    RedTaskHealth health;

    @Inject
    Provider<RedTaskConfig.Web> web;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named(NAME);
        RedisHealth redis;
        try {
            redis = health.redis();
        } catch (RuntimeException e) {
            return r.down()
                    .withData("redis", "not configured")
                    .withData("error", String.valueOf(e.getMessage()))
                    .build();
        }
        if (!redis.reachable()) {
            return r.down()
                    .withData("redis", "unreachable")
                    .withData("error", String.valueOf(redis.error()))
                    .withData(
                            "fix",
                            "start Redis or correct redtask.redis.url (REDTASK_REDIS_URL); "
                                    + "submits get 503 until it answers")
                    .build();
        }
        r.up().withData("redis", "reachable");
        Map<String, String> settings = redis.durability();
        if (settings.isEmpty()) {
            return r.withData("durability", "unknown: CONFIG GET is not allowed on this Redis")
                    .build();
        }
        settings.forEach(r::withData);
        int problems = 0;
        String policy = settings.get("maxmemory-policy");
        if (policy != null && !"noeviction".equals(policy)) {
            problems++;
            r.withData(
                    "eviction",
                    "maxmemory-policy is " + policy + ": when Redis is full it deletes keys, "
                            + "and tasks vanish without trace. Fix: CONFIG SET maxmemory-policy noeviction "
                            + "(and maxmemory-policy noeviction in redis.conf)");
            if (web.get().requireNoeviction()) {
                r.down();
            }
        }
        String appendonly = settings.get("appendonly");
        String save = settings.get("save");
        if ("no".equals(appendonly) && save != null && save.isBlank()) {
            problems++;
            r.withData(
                    "persistence",
                    "appendonly is no and save is empty: Redis keeps nothing on disk, so a "
                            + "Redis restart loses every task. Fix: CONFIG SET appendonly yes (and appendonly yes in "
                            + "redis.conf), or a save schedule");
            if (web.get().requirePersistence()) {
                r.down();
            }
        }
        r.withData("durability", problems == 0 ? "ok" : "at risk");
        return r.build();
    }
}

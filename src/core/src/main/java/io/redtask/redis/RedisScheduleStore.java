package io.redtask.redis;

import io.redtask.engine.JsonCodec;
import io.redtask.store.ScheduleDefinition;
import io.redtask.store.ScheduleStore;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import static io.redtask.redis.RedisCalls.asLong;
import static io.redtask.redis.RedisCalls.call;

/**
 * {@link ScheduleStore} on Redis: every schedule's definition in one hash and its next slot in one
 * zset, both under one hash tag, so saving, removing and advancing are each one atomic script.
 */
final class RedisScheduleStore implements ScheduleStore {

    private static final Logger LOG = Logger.getLogger(RedisScheduleStore.class.getName());

    private final UnifiedJedis redis;
    private final ScriptRunner scripts;
    private final Keys keys;
    private final JsonCodec json;
    private final LuaScript save = LuaScript.load("schedule_save");
    private final LuaScript remove = LuaScript.load("schedule_remove");
    private final LuaScript advance = LuaScript.load("schedule_advance");
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    RedisScheduleStore(UnifiedJedis redis, ScriptRunner scripts, Keys keys, JsonCodec json) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.json = json;
    }

    @Override
    public boolean save(ScheduleDefinition d, long nextSlot) {
        Object r = call(() -> scripts.run(
                save,
                List.of(keys.cronDefinitions(), keys.cronNext()),
                List.of(d.name(), json.toJson(d), Long.toString(nextSlot))));
        return "saved".equals(r);
    }

    @Override
    public boolean remove(String name) {
        Object r = call(() -> scripts.run(remove, List.of(keys.cronDefinitions(), keys.cronNext()), List.of(name)));
        return asLong(r) == 1;
    }

    @Override
    public Map<ScheduleDefinition, Long> all() {
        Map<String, String> defs = new TreeMap<>(call(() -> redis.hgetAll(keys.cronDefinitions())));
        Map<String, Long> next = new LinkedHashMap<>();
        for (Tuple t : call(() -> redis.zrangeWithScores(keys.cronNext(), 0, -1))) {
            next.put(t.getElement(), (long) t.getScore());
        }
        Map<ScheduleDefinition, Long> out = new LinkedHashMap<>();
        defs.forEach((name, text) -> {
            ScheduleDefinition d = definition(name, text);
            if (d != null) {
                out.put(d, next.getOrDefault(name, -1L));
            }
        });
        return out;
    }

    @Override
    public Map<ScheduleDefinition, Long> due(long now, int max) {
        List<Tuple> due = call(
                () -> redis.zrangeByScoreWithScores(keys.cronNext(), Double.NEGATIVE_INFINITY, (double) now, 0, max));
        if (due.isEmpty()) {
            return Map.of();
        }
        String[] names = due.stream().map(Tuple::getElement).toArray(String[]::new);
        List<String> defs = call(() -> redis.hmget(keys.cronDefinitions(), names));
        Map<ScheduleDefinition, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            ScheduleDefinition d = defs.get(i) == null ? null : definition(names[i], defs.get(i));
            if (d != null) {
                out.put(d, (long) due.get(i).getScore());
            }
        }
        return out;
    }

    @Override
    public boolean advance(String name, long slot, long nextSlot, String queue, long now) {
        return asLong(call(() -> scripts.run(
                        advance,
                        List.of(keys.cronNext(), keys.cronPending()),
                        List.of(
                                name,
                                Long.toString(slot),
                                Long.toString(nextSlot),
                                queue == null ? "" : queue,
                                Long.toString(now)))))
                == 1;
    }

    @Override
    public void fired(String name, long slot) {
        call(() -> redis.hdel(keys.cronPending(), name + "|" + slot));
    }

    @Override
    public List<PendingFiring> pending() {
        Map<String, String> all = call(() -> redis.hgetAll(keys.cronPending()));
        List<PendingFiring> out = new java.util.ArrayList<>();
        all.forEach((field, value) -> {
            int f = field.lastIndexOf('|');
            int v = value.lastIndexOf('|');
            try {
                out.add(new PendingFiring(
                        field.substring(0, f),
                        Long.parseLong(field.substring(f + 1)),
                        value.substring(0, v),
                        Long.parseLong(value.substring(v + 1))));
            } catch (RuntimeException e) {
                call(() -> redis.hdel(keys.cronPending(), field)); // unreadable: nothing to recover
            }
        });
        return out;
    }

    /**
     * The stored definition, or {@code null} when it cannot be read (damaged or foreign data): a
     * bad schedule is skipped, logged once, and stops no other.
     */
    private ScheduleDefinition definition(String name, String text) {
        try {
            ScheduleDefinition d = (ScheduleDefinition) json.fromJson(text, ScheduleDefinition.class);
            if (d == null
                    || d.name() == null
                    || d.cron() == null
                    || d.type() == null
                    || d.queue() == null
                    || d.zone() == null) {
                throw new IllegalArgumentException("a required field is missing");
            }
            return d;
        } catch (RuntimeException e) {
            if (unreadable.add(name)) {
                LOG.warning("RedTask: schedule '" + name + "' cannot be read (" + e.getMessage()
                        + "); skipped until it is saved again");
            }
            return null;
        }
    }
}

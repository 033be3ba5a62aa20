package io.redtask;

import java.util.Map;

/**
 * Whether Redis answers, and its settings that decide whether tasks are safe there.
 *
 * @param reachable  whether Redis answered a PING
 * @param error      why it did not (passwords removed), or {@code null}
 * @param durability {@code maxmemory-policy}, {@code appendonly} and {@code save} as Redis tells
 *                   them; empty when it will not (CONFIG forbidden, as on some hosted services)
 */
public record RedisHealth(boolean reachable, String error, Map<String, String> durability) {

    /**
     * Copies the settings.
     *
     * @param reachable  whether Redis answered a PING
     * @param error      why it did not, or {@code null}
     * @param durability the durability settings Redis told
     */
    public RedisHealth {
        durability = Map.copyOf(durability);
    }
}

package io.redtask.redis;

import io.redtask.StoreFullException;
import io.redtask.StoreUnavailableException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/** How this package runs a Redis command and reads what Lua answers. */
final class RedisCalls {

    private RedisCalls() {}

    /**
     * Runs a command; a Redis that cannot be reached becomes {@link StoreUnavailableException}
     * (callers may retry), anything else Redis answers stays a {@link JedisException}.
     */
    static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisConnectionException e) {
            throw new StoreUnavailableException("Redis is unreachable: " + e.getMessage(), e);
        } catch (JedisAccessControlException e) {
            throw refusedLogin(e);
        } catch (JedisDataException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("OOM")) {
                throw new StoreFullException("Redis is full (" + e.getMessage() + "); nothing was stored. Workers "
                        + "drain it; raise maxmemory or lower redtask.memory.high-water");
            }
            if (isPassing(e.getMessage())) {
                throw new StoreUnavailableException("Redis cannot take this now: " + e.getMessage(), e);
            }
            throw e;
        } catch (JedisException e) {
            // Also the pool's "could not get a resource" when every connection is busy or broken.
            if (e.getCause() instanceof JedisAccessControlException refused) {
                throw refusedLogin(refused);
            }
            if (e.getCause() instanceof NoSuchElementException || e.getCause() instanceof JedisConnectionException) {
                throw new StoreUnavailableException("Redis is unreachable: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Redis refusing RedTask's login (WRONGPASS, NOAUTH, NOPERM: a password rotated on one side
     * only) is an outage like an unreachable Redis: the application keeps running, readiness is
     * DOWN, submits get 503, and it all recovers once the passwords agree again. Redis's reply
     * never holds the password, and neither does this message.
     */
    private static StoreUnavailableException refusedLogin(JedisAccessControlException e) {
        return new StoreUnavailableException(
                "Redis refuses RedTask's login (" + e.getMessage()
                        + "); check the user and password in redtask.redis.url",
                e);
    }

    /**
     * Replies that say "not now" rather than "no": a replica that was a master before a failover
     * (READONLY), a script running too long (BUSY), a Redis loading its data (LOADING), a cluster
     * moving or missing a slot (TRYAGAIN, CLUSTERDOWN), a master without its replicas
     * (MASTERDOWN, NOREPLICAS). Callers retry these like an unreachable Redis.
     */
    static boolean isPassing(String message) {
        if (message == null) {
            return false;
        }
        for (String code : PASSING) {
            if (message.startsWith(code)) {
                return true;
            }
        }
        return false;
    }

    private static final List<String> PASSING =
            List.of("READONLY", "BUSY", "LOADING", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "NOREPLICAS");

    static long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof String s) {
            return Long.parseLong(s);
        }
        throw new IllegalStateException("expected a number from Redis, got " + o);
    }

    /**
     * A flat list of name/value pairs (HGETALL inside Lua, or a script's named reply) as a map.
     * Values that are numbers in Lua arrive as Long and are turned into text.
     */
    static Map<String, String> pairs(List<?> flat) {
        Map<String, String> out = new LinkedHashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return out;
    }
}

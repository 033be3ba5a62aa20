package io.redtask.redis;

import io.redtask.store.Storage;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;

/** For tests that look at Redis directly: the client behind a storage, or a client of their own. */
public final class RedisProbe {

    private RedisProbe() {}

    /** The client a {@link RedisStorage} uses. */
    public static UnifiedJedis client(Storage storage) {
        return ((RedisStorage) storage).redis();
    }

    /** A task hash's field: its name in Redis ({@code "attempts"} is stored as {@code "a"}, and so on). */
    public static String taskField(String name) {
        return switch (name) {
            case "state" -> TaskRecord.STATE;
            case "type" -> TaskRecord.TYPE;
            case "attempts" -> TaskRecord.ATTEMPTS;
            case "priority" -> TaskRecord.PRIORITY;
            case "timeoutMs" -> TaskRecord.TIMEOUT_MS;
            case "rateAt" -> TaskRecord.RATE_AT;
            default -> throw new IllegalArgumentException("no task field " + name + " known here");
        };
    }

    /** How many calls of {@code command} (lower case, e.g. {@code "fcall"}) Redis served (INFO commandstats). */
    public static long calls(UnifiedJedis redis, String command) {
        String prefix = "cmdstat_" + command + ":calls=";
        for (String line : redis.info("commandstats").split("\\r?\\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    /** A client of the test's own on {@code url}; the caller closes it. */
    public static UnifiedJedis open(String url) {
        return RedisConnections.open(url, 4, Duration.ofSeconds(2));
    }
}

package io.redtask.redis;

import io.redtask.StoreUnavailableException;
import io.redtask.engine.Durability;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.KeyValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One Lua script from this package's resources, run by its SHA1. When Redis does not know the
 * script (it restarted, or the script cache was flushed) it is sent once in full and cached again.
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /**
     * Loads {@code <name>.lua} from the classpath next to this class. A line
     * {@code -- @include lib} is replaced by {@code lib.lua}, so scripts share functions and each
     * still runs as one atomic script.
     */
    static LuaScript load(String name) {
        return new LuaScript(name, expand(name, new java.util.HashSet<>()));
    }

    /** The script's text with its includes (and theirs) in place, each library once. */
    private static String expand(String name, java.util.Set<String> included) {
        StringBuilder out = new StringBuilder();
        for (String line : read(name).split("\\n", -1)) {
            if (line.startsWith("-- @include ")) {
                String lib = line.substring("-- @include ".length()).strip();
                if (included.add(lib)) {
                    out.append(expand(lib, included)).append('\n');
                }
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static String read(String name) {
        String file = name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + file, e);
        }
    }

    Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            // EVAL caches the script under the same SHA1, so later calls take the short path again.
            return redis.eval(source, keys, args);
        }
    }

    String name() {
        return name;
    }

    /**
     * Runs the script and waits in the same connection (a pipeline) until the write is as
     * durable as {@code durability} asks: WAIT for replicas, WAITAOF for the master's disk.
     *
     * @throws io.redtask.StoreUnavailableException when the confirmation does not come in time:
     *         the write may still have been applied on the master
     */
    Object runDurably(UnifiedJedis redis, List<String> keys, List<String> args, Durability durability) {
        if (durability.mode() == Durability.Mode.ASYNC) {
            return run(redis, keys, args);
        }
        try {
            return pipelineWithWait(redis, keys, args, durability);
        } catch (JedisNoScriptException e) {
            redis.scriptLoad(source, keys.get(0));
            return pipelineWithWait(redis, keys, args, durability);
        }
    }

    private Object pipelineWithWait(UnifiedJedis redis, List<String> keys, List<String> args, Durability d) {
        long timeout = d.timeout().toMillis();
        Response<Object> reply;
        Response<?> confirmed;
        try (AbstractPipeline p = redis.pipelined()) {
            reply = p.evalsha(sha, keys, args);
            confirmed = d.mode() == Durability.Mode.REPLICAS
                    ? p.waitReplicas(keys.get(0), d.replicas(), timeout)
                    : p.waitAOF(keys.get(0), 1, 0, timeout);
            p.sync();
        }
        Object result = reply.get();
        long acks;
        try {
            acks = d.mode() == Durability.Mode.REPLICAS
                    ? (Long) confirmed.get()
                    : ((KeyValue<?, ?>) confirmed.get()).getKey() instanceof Long l ? l : 0;
        } catch (JedisDataException e) {
            if (e.getMessage() != null
                    && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("unknown command")) {
                throw new IllegalStateException(
                        "redtask.durability=fsync needs Redis 7.2 or later (WAITAOF); "
                                + "this Redis does not know WAITAOF. Use async, or replicas:N with replicas",
                        e);
            }
            throw e;
        }
        if (acks < (d.mode() == Durability.Mode.REPLICAS ? d.replicas() : 1)) {
            throw new StoreUnavailableException(
                    "Redis applied " + name + " but did not confirm it as " + d + " within " + d.timeout() + " (" + acks
                            + " confirmed); it may be lost if the master fails now",
                    null);
        }
        return result;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
    }
}

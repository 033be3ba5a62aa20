package io.redtask.redis;

import io.redtask.StoreUnavailableException;
import io.redtask.engine.Durability;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.KeyValue;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs {@link LuaScript}s on one Redis connection pool: as functions of {@link ScriptLibrary}
 * (FCALL) where Redis has Functions (7.0 and later) and lets RedTask use them, else with EVALSHA.
 *
 * <p>The library is loaded when a call finds it missing (a Redis that restarted without
 * persistence, a new Cluster master, FUNCTION FLUSH), on the node that call went to, and the call
 * is sent again: a function that is not there ran nothing. A Redis without FUNCTION (older than
 * 7.0) or an ACL user without the right to load or call functions makes this runner use EVALSHA
 * from then on, the same scripts sent as scripts, and says so once in the log.
 */
final class ScriptRunner {

    private static final Logger LOG = Logger.getLogger(ScriptRunner.class.getName());
    /** Said once per JVM: every pool of a server would say the same. */
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final UnifiedJedis redis;
    private volatile boolean functions;

    /**
     * @param redis     the pool the scripts run on
     * @param functions whether to try Functions first (false: EVALSHA only)
     */
    ScriptRunner(UnifiedJedis redis, boolean functions) {
        this.redis = redis;
        this.functions = functions;
    }

    /** Whether calls go out as FCALL (false once Redis has refused Functions). */
    boolean usesFunctions() {
        return functions;
    }

    /** Runs {@code script} and returns its reply. */
    Object run(LuaScript script, List<String> keys, List<String> args) {
        return orScript(keys, () -> redis.fcall(script.function(), keys, args), () -> {
            try {
                return redis.evalsha(script.sha(), keys, args);
            } catch (JedisNoScriptException e) {
                // EVAL caches the script under the same SHA1, so later calls take the short path again.
                return redis.eval(script.source(), keys, args);
            }
        });
    }

    /**
     * Runs the script and waits in the same connection (a pipeline) until the write is as
     * durable as {@code durability} asks: WAIT for replicas, WAITAOF for the master's disk.
     *
     * @throws io.redtask.StoreUnavailableException when the confirmation does not come in time:
     *         the write may still have been applied on the master
     */
    Object runDurably(LuaScript script, List<String> keys, List<String> args, Durability durability) {
        if (durability.mode() == Durability.Mode.ASYNC) {
            return run(script, keys, args);
        }
        return orScript(keys, () -> pipelineWithWait(script, keys, args, durability, true), () -> {
            try {
                return pipelineWithWait(script, keys, args, durability, false);
            } catch (JedisNoScriptException e) {
                redis.scriptLoad(script.source(), keys.get(0));
                return pipelineWithWait(script, keys, args, durability, false);
            }
        });
    }

    /**
     * {@code asFunction} while Redis takes functions, loading the library once when the call finds
     * it missing; else (or once Redis has refused Functions) {@code asScript}.
     */
    private Object orScript(List<String> keys, Supplier<Object> asFunction, Supplier<Object> asScript) {
        if (functions) {
            try {
                return asFunction.get();
            } catch (JedisDataException e) {
                if (missingFunction(e) && load(keys)) {
                    return again(asFunction);
                }
                fallBackOrThrow(e);
            }
        }
        return asScript.get();
    }

    /**
     * A call made again once the library was loaded. Still no function there means the call went
     * to a node the load did not reach (a Cluster slot moving to a new node, whose ASK redirect
     * Jedis follows) or the library was flushed in between: a passing state, which the caller
     * retries as any other.
     */
    private static Object again(Supplier<Object> call) {
        try {
            return call.get();
        } catch (JedisDataException e) {
            if (missingFunction(e)) {
                throw new StoreUnavailableException(
                        "RedTask's function library is not on the Redis node that took the call yet (" + e.getMessage()
                                + "); try again",
                        e);
            }
            throw e;
        }
    }

    /**
     * Loads the library: on a Cluster on every master (a call may be redirected to any of them
     * while a slot moves), else on the server. Returns false when this Redis does not let
     * RedTask have Functions: it has no FUNCTION, RedTask's user may not load functions, or it
     * refuses the library itself (a Redis-compatible server with other Lua limits, say).
     */
    private boolean load(List<String> keys) {
        ScriptLibrary library = ScriptLibrary.get();
        if (redis instanceof RedisClusterClient cluster) {
            return loadOnEveryMaster(cluster, library);
        }
        try {
            redis.sendCommand(keys.get(0), Protocol.Command.FUNCTION, "LOAD", library.code());
        } catch (JedisDataException e) {
            if (!loaded(e)) {
                return false;
            }
        }
        LOG.fine(() -> "loaded Redis function library " + library.name());
        return true;
    }

    private static boolean loadOnEveryMaster(RedisClusterClient cluster, ScriptLibrary library) {
        int refused = 0;
        int nodes = 0;
        JedisDataException passing = null;
        for (ConnectionPool pool : cluster.getClusterNodes().values()) {
            try (Connection c = pool.getResource()) {
                nodes++;
                c.executeCommand(new CommandArguments(Protocol.Command.FUNCTION)
                        .add("LOAD")
                        .add(library.code()));
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("READONLY")) {
                    nodes--; // a replica: it gets the library from its master
                    continue;
                }
                if (!RedisCalls.isPassing(e.getMessage()) && !loaded(e)) {
                    refused++;
                } else if (!String.valueOf(e.getMessage()).contains("already exists")) {
                    passing = e;
                }
            } catch (RuntimeException e) {
                // A node that cannot be reached now: its call, if any, finds the library missing.
                LOG.log(Level.FINE, "RedTask: could not load the function library on a Cluster node", e);
            }
        }
        if (passing != null) {
            throw passing;
        }
        return nodes == 0 || refused < nodes;
    }

    /**
     * Whether a failed FUNCTION LOAD still leaves the library there (another server loaded it
     * first); a passing state (BUSY, LOADING, OOM, READONLY, ...) is thrown for the caller to
     * retry. False: Redis refuses the library for good.
     */
    private static boolean loaded(JedisDataException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("already exists")) {
            return true;
        }
        if (RedisCalls.isPassing(message) || message.startsWith("OOM")) {
            throw e;
        }
        LOG.log(Level.FINE, "RedTask: Redis refused the function library: {0}", message);
        return false;
    }

    /** Goes on with EVALSHA when {@code e} says Redis will not run functions for us; else throws it. */
    private void fallBackOrThrow(JedisDataException e) {
        if (!missingFunction(e) && !refusesFunctions(e)) {
            throw e;
        }
        functions = false;
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.log(
                    Level.WARNING,
                    "Redis does not let RedTask use Functions ({0}); its scripts go as EVALSHA instead, which "
                            + "costs Redis more per call. Redis 7.0 or later, and an ACL user allowed FUNCTION "
                            + "LOAD and FCALL, use Functions",
                    e.getMessage());
        }
    }

    private static boolean missingFunction(JedisDataException e) {
        return String.valueOf(e.getMessage()).startsWith("ERR Function not found");
    }

    /**
     * Redis older than 7.0 (no FCALL, no FUNCTION), or an ACL that forbids those commands. Not an
     * ACL refusal of a key (a script's own business, the same with EVALSHA).
     */
    private static boolean refusesFunctions(JedisDataException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        // Redis 7 quotes the command as 'fcall', 6.x as `FCALL`.
        boolean aboutFunctions = message.contains("fcall") || message.contains("function");
        return aboutFunctions && (message.startsWith("noperm") || message.contains("unknown command"));
    }

    private Object pipelineWithWait(
            LuaScript script, List<String> keys, List<String> args, Durability d, boolean asFunction) {
        long timeout = d.timeout().toMillis();
        Response<Object> reply;
        Response<?> confirmed;
        try (AbstractPipeline p = redis.pipelined()) {
            reply = asFunction ? p.fcall(script.function(), keys, args) : p.evalsha(script.sha(), keys, args);
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
                    "Redis applied " + script.name() + " but did not confirm it as " + d + " within " + d.timeout()
                            + " (" + acks + " confirmed); it may be lost if the master fails now",
                    null);
        }
        return result;
    }
}

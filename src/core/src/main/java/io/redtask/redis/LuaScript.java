package io.redtask.redis;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

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

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
    }
}

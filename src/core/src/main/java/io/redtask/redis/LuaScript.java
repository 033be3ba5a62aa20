package io.redtask.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One Lua script from this package's resources: its name, its text with the libraries it includes,
 * and how Redis knows it (the function of {@link ScriptLibrary}, or the SHA1 of the text for
 * EVALSHA). {@link ScriptRunner} runs it.
 */
final class LuaScript {

    private static final String INCLUDE = "-- @include ";

    private final String name;
    private final String source;
    private final String sha;
    private final String function;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = ScriptLibrary.sha1(source);
        this.function = ScriptLibrary.get().functionOf(name);
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
    static String expand(String name, java.util.Set<String> included) {
        StringBuilder out = new StringBuilder();
        for (String line : read(name).split("\\n", -1)) {
            String lib = includedBy(line);
            if (lib == null) {
                out.append(line).append('\n');
            } else if (included.add(lib)) {
                out.append(expand(lib, included)).append('\n');
            }
        }
        return out.toString();
    }

    /** The library a {@code -- @include lib} line names; null for any other line. */
    static String includedBy(String line) {
        return line.startsWith(INCLUDE) ? line.substring(INCLUDE.length()).strip() : null;
    }

    /** The text of {@code <name>.lua}, as it is (includes not expanded). */
    static String read(String name) {
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

    String name() {
        return name;
    }

    /** The script's whole text (EVAL sends it when Redis does not know its SHA1). */
    String source() {
        return source;
    }

    /** The SHA1 of {@link #source()}, for EVALSHA. */
    String sha() {
        return sha;
    }

    /** The function of {@link ScriptLibrary} that runs this script (FCALL). */
    String function() {
        return function;
    }
}

package io.redtask.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This package's Lua scripts as one Redis Function library (Redis 7 and later), so that Redis
 * runs the shared libraries' top-level code (their tables of field names, their function
 * definitions) once, when the library is loaded, and not again at every call as it does for a
 * script sent with EVALSHA: measured, that preamble cost about 20 µs of Redis's single thread per
 * call, as much as the work of a small script.
 *
 * <p>Each script becomes one function, {@code redtask_<hash>_<script>}, in the library
 * {@code redtask_<hash>}, where the hash is taken over the code: servers of one RedTask version
 * share the library, and a rolling deploy runs two versions' libraries side by side. The script
 * texts stay as they are (and run as they are with EVALSHA where Functions are not available):
 *
 * <ul>
 *   <li>each library ({@code -- @include lib}) is placed once, at the library's top level;
 *   <li>each script's own text becomes the body of a Lua function;
 *   <li>{@code KEYS} and {@code ARGV}, globals for a script, are library-level locals set by each
 *       function's entry from the keys and arguments FCALL passes;
 *   <li>a library's table that must start empty at every call (a cache for one call) is named
 *       on a {@code -- @per-call NAME} line, and each function's entry empties it again, since
 *       a function library keeps its top-level values from one call to the next;
 *   <li>every function is registered with {@code allow-cross-slot-keys}, as an EVAL script
 *       without flags behaves: scripts reach the task records (and batches) by name; those of
 *       {@link #ALLOW_OOM} with {@code allow-oom}, {@link #NO_WRITES} with {@code no-writes}.
 * </ul>
 */
final class ScriptLibrary {

    /** Every script (not library) of this package: one function each. */
    static final List<String> SCRIPTS = List.of(
            "batch_submit",
            "cancel",
            "claim",
            "complete",
            "enqueue",
            "extend",
            "fail",
            "purge_dead",
            "queue_stats",
            "recover",
            "refill_groups",
            "release",
            "retry_dead",
            "schedule_advance",
            "schedule_remove",
            "schedule_save",
            "set_limits",
            "set_paused",
            "shard_layout",
            "wake");

    /**
     * Scripts that Redis must run even when it is at maxmemory (a function without flags is
     * refused whole then, where a script sent with EVALSHA ran until its first write that could
     * grow memory): those that end, stop or renew work already stored, or free memory, so that
     * workers drain a full Redis and an operator can still clean it up.
     */
    static final Set<String> ALLOW_OOM = Set.of(
            "cancel",
            "complete",
            "extend",
            "fail",
            "purge_dead",
            "recover",
            "release",
            "schedule_remove",
            "set_limits",
            "set_paused",
            "wake");

    /** Scripts that only read: Redis runs them at maxmemory, and could on a replica. */
    static final Set<String> NO_WRITES = Set.of("queue_stats");

    /** Stands for the library's name in the registration code until its hash is known. */
    private static final String NAME = "@LIBRARY@";

    private static final Pattern PER_CALL = Pattern.compile("^-- @per-call ([A-Za-z_][A-Za-z0-9_]*)\\s*$");

    private static final ScriptLibrary INSTANCE = build();

    private final String name;
    private final String code;

    private ScriptLibrary(String name, String code) {
        this.name = name;
        this.code = code;
    }

    /** The library of this RedTask version. */
    static ScriptLibrary get() {
        return INSTANCE;
    }

    /** The library's name: {@code redtask_} and 12 hex digits of the code's SHA-1. */
    String name() {
        return name;
    }

    /** The text FUNCTION LOAD takes (it starts with the {@code #!lua name=...} line). */
    String code() {
        return code;
    }

    /**
     * The function that runs {@code script}.
     *
     * @throws IllegalArgumentException when the script is not one of {@link #SCRIPTS}
     */
    String functionOf(String script) {
        if (!SCRIPTS.contains(script)) {
            throw new IllegalArgumentException(
                    "script " + script + " is not in the function library; add it to " + "ScriptLibrary.SCRIPTS");
        }
        return name + "_" + script;
    }

    private static ScriptLibrary build() {
        StringBuilder libraries = new StringBuilder();
        StringBuilder bodies = new StringBuilder();
        Set<String> included = new HashSet<>();
        for (String script : SCRIPTS) {
            StringBuilder body = new StringBuilder();
            for (String line : LuaScript.read(script).split("\\n", -1)) {
                String lib = LuaScript.includedBy(line);
                if (lib == null) {
                    body.append("  ").append(line).append('\n');
                } else if (included.add(lib)) {
                    // Once, at the top level, the libraries it includes in place (LuaScript.expand).
                    libraries.append(LuaScript.expand(lib, included)).append('\n');
                }
            }
            bodies.append("local function script_")
                    .append(script)
                    .append("()\n")
                    .append(body)
                    .append("end\n\n");
        }
        List<String> perCall = new ArrayList<>();
        for (String line : libraries.toString().split("\\n")) {
            Matcher m = PER_CALL.matcher(line);
            if (m.matches()) {
                perCall.add(m.group(1));
            }
        }
        // Redis runs a library's top level with nothing but redis.register_function at hand (no
        // string, table, pairs...), so the libraries' top-level code runs at the first call, in
        // build(), and what it makes (tables, local functions) is kept from then on.
        StringBuilder shared = new StringBuilder()
                .append("-- RedTask's scripts as one function library (ScriptLibrary.java): the libraries once,\n")
                .append("-- then one local function per script, built at the first call.\n")
                .append("local KEYS, ARGV\n")
                .append("local SCRIPTS, RESET\n\n")
                .append("local function build()\n")
                .append(libraries)
                .append(bodies)
                .append("local function reset()\n");
        for (String table : perCall) {
            shared.append("  ").append(table).append(" = {}\n");
        }
        shared.append("end\n").append("return {\n");
        for (String script : SCRIPTS) {
            shared.append("  ")
                    .append(script)
                    .append(" = script_")
                    .append(script)
                    .append(",\n");
        }
        shared.append("}, reset\n").append("end\n\n");
        StringBuilder registration = new StringBuilder();
        registration
                .append("local function register(script, flags)\n")
                .append("  redis.register_function{function_name = '")
                .append(NAME)
                .append("_' .. script,\n")
                .append("    flags = flags,\n")
                .append("    callback = function(keys, args)\n")
                .append("      if not SCRIPTS then SCRIPTS, RESET = build() end\n")
                .append("      KEYS, ARGV = keys, args\n")
                .append("      RESET()\n")
                .append("      local reply = SCRIPTS[script]()\n")
                .append("      -- Not kept until the next call (a bulk submit's payloads).\n")
                .append("      KEYS, ARGV = nil, nil\n")
                .append("      return reply\n")
                .append("    end}\n")
                .append("end\n");
        for (String script : SCRIPTS) {
            registration.append("register('").append(script).append("', { 'allow-cross-slot-keys'");
            if (ALLOW_OOM.contains(script)) {
                registration.append(", 'allow-oom'");
            }
            if (NO_WRITES.contains(script)) {
                registration.append(", 'no-writes'");
            }
            registration.append(" })\n");
        }
        // The hash covers the flags too: a library of the same name is the same in every way.
        String hash = sha1(shared + registration.toString()).substring(0, 12);
        String name = "redtask_" + hash;
        StringBuilder code = new StringBuilder("#!lua name=")
                .append(name)
                .append('\n')
                .append(shared)
                .append(registration.toString().replace(NAME, name));
        return new ScriptLibrary(name, code.toString());
    }

    static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
    }
}

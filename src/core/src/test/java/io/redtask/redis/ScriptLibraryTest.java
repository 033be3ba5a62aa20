package io.redtask.redis;

import io.redtask.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.LibraryInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The function library holds every script of the package, and a real Redis loads it. */
class ScriptLibraryTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Test
    void everyScriptOfThePackageIsAFunctionOfTheLibrary() throws IOException {
        Set<String> scripts = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/io/redtask/redis"))) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".lua") && !n.startsWith("lib_"))
                    .forEach(n -> scripts.add(n.substring(0, n.length() - ".lua".length())));
        }
        assertEquals(scripts, new TreeSet<>(ScriptLibrary.SCRIPTS), "ScriptLibrary.SCRIPTS lists every script");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ScriptLibrary.get().functionOf("lib_task"));
        assertTrue(e.getMessage().contains("ScriptLibrary.SCRIPTS"), e.getMessage());
    }

    @Test
    void redisLoadsTheLibraryWithOneFunctionPerScript() {
        ScriptLibrary library = ScriptLibrary.get();
        assertTrue(library.name().matches("redtask_[0-9a-f]{12}"), library.name());
        try (UnifiedJedis redis = RedisProbe.open(REDIS.url())) {
            assertEquals(library.name(), redis.functionLoad(library.code()));
            List<LibraryInfo> listed = redis.functionList(library.name());
            assertEquals(1, listed.size(), "one library of that name");
            Set<String> functions = new TreeSet<>();
            for (Map<String, Object> f : listed.get(0).getFunctions()) {
                functions.add(String.valueOf(f.get("name")));
            }
            Set<String> expected = new TreeSet<>();
            ScriptLibrary.SCRIPTS.forEach(s -> expected.add(library.functionOf(s)));
            assertEquals(expected, functions);
            redis.sendCommand(Protocol.Command.FUNCTION, "DELETE", library.name());
        }
    }
}

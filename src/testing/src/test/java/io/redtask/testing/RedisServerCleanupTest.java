package io.redtask.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a test JVM leaves behind when it exits: no redis-server it started (even one a test forgot
 * to close) and none of their directories. A JVM of its own is started for it, as only an exit
 * shows it.
 */
public class RedisServerCleanupTest {

    /** What begins the child's line about its servers (tab-separated: a path may hold spaces). */
    private static final String SAID = "servers:";

    /** The child JVM: starts two servers, closes one, forgets the other, says where they are, exits. */
    public static final class ForgetfulTest {
        public static void main(String[] args) {
            RedisServer closed = RedisServer.start(true);
            RedisServer forgotten = RedisServer.start(false);
            closed.close();
            System.out.println(SAID + closed.dir() + "\t" + forgotten.dir() + "\t" + forgotten.port());
            System.out.flush();
            System.exit(0);
        }
    }

    @Test
    void anExitingJvmEndsTheServersItLeftRunningAndDeletesTheirDirectories() throws Exception {
        String[] seen = runForgetful(List.of());
        Path closedDir = Path.of(seen[0]);
        Path forgottenDir = Path.of(seen[1]);
        int forgottenPort = Integer.parseInt(seen[2]);

        assertFalse(Files.exists(closedDir), "the closed server's directory " + closedDir + " is still there");
        assertFalse(Files.exists(forgottenDir), "the forgotten server's directory " + forgottenDir + " is still there");
        assertFalse(answers(forgottenPort), "the forgotten redis-server still answers on port " + forgottenPort);
    }

    @Test
    void theDirectoriesStayWhenAskedTo() throws Exception {
        String[] seen = runForgetful(List.of("-Dredtask.testing.keepRedisDirs=true"));
        Path closedDir = Path.of(seen[0]);
        Path forgottenDir = Path.of(seen[1]);
        try {
            assertTrue(Files.exists(closedDir.resolve("redis.log")), "no redis.log in " + closedDir);
            assertTrue(Files.exists(forgottenDir.resolve("redis.log")), "no redis.log in " + forgottenDir);
            // Kept, but the process is ended all the same.
            assertFalse(answers(Integer.parseInt(seen[2])), "the forgotten redis-server still answers");
        } finally {
            for (Path dir : List.of(closedDir, forgottenDir)) {
                if (Files.exists(dir)) {
                    try (var files = Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder())
                                .forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    /** Runs {@link ForgetfulTest} to its end (at most a minute); its one line of output, split. */
    private static String[] runForgetful(List<String> jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(ForgetfulTest.class.getName());
        // Into a file, read once it has exited: reading a pipe would wait as long as the child does.
        Path output = Files.createTempFile("redtask-cleanup-test-", ".log");
        try {
            Process child = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("the child JVM did not exit within 60 s:\n" + Files.readString(output));
            }
            String all = Files.readString(output);
            assertEquals(0, child.exitValue(), "the child JVM failed:\n" + all);
            String found =
                    all.lines().filter(l -> l.startsWith(SAID)).findFirst().orElse(null);
            assertNotNull(found, "the child JVM did not say where its servers were:\n" + all);
            return found.substring(SAID.length()).split("\t");
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

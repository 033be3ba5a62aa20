package io.redtask.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process that a test starts on a free loopback port, in a
 * directory of its own, and stops again. Tests never touch a Redis they did not start.
 *
 * <p>When the JVM exits normally (not when it is killed or halted: no exit hook runs then), every
 * server it started that still runs is killed (a test that forgot
 * {@link #close()} must not leave a {@code redis-server} behind it), and their directories (under
 * {@code java.io.tmpdir}: configuration, AOF, log) are deleted. A directory outlives {@link #close()}
 * until then, as {@link #restart()} may use it again. To keep the directories for a look after a
 * run, set the system property {@code redtask.testing.keepRedisDirs=true}.
 */
public final class RedisServer implements AutoCloseable {

    /** The servers this JVM started: what its exit cleans up. */
    private static final Set<RedisServer> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(RedisServer::cleanUpAtExit, "redtask-redis-cleanup"));
    }

    private final Path dir;
    private final boolean appendOnly;
    private final List<String> extraArgs;
    private Path sentinelConfig;
    private int port;
    /** Read by the exit's clean-up too (another thread). */
    private volatile Process process;

    private int tlsPort;

    private RedisServer(Path dir, boolean appendOnly, List<String> extraArgs) {
        this.dir = dir;
        this.appendOnly = appendOnly;
        this.extraArgs = List.copyOf(extraArgs);
        STARTED.add(this);
    }

    /**
     * Starts a server that also speaks TLS on a second free port ({@link #tlsPort()}) with
     * {@code certificate}, and requires {@code requirePass} (when not null) and knows the ACL users
     * given as {@code "name password"} (all commands, all keys). The plain port stays open for
     * {@code redis-cli} and the readiness check.
     */
    public static RedisServer startSecured(
            TestCertificates.Files certificate, String requirePass, List<String> aclUsers) {
        try {
            Path dir = Files.createTempDirectory("redtask-redis-tls-");
            List<String> args = new ArrayList<>();
            int tls = freePort();
            if (certificate != null) {
                args.addAll(List.of(
                        "--tls-port",
                        Integer.toString(tls),
                        "--tls-cert-file",
                        certificate.cert().toString(),
                        "--tls-key-file",
                        certificate.key().toString(),
                        "--tls-ca-cert-file",
                        certificate.cert().toString(),
                        "--tls-auth-clients",
                        "no"));
            }
            if (requirePass != null) {
                args.addAll(List.of("--requirepass", requirePass));
            }
            for (String user : aclUsers) {
                String[] nameAndPassword = user.split(" ", 2);
                args.addAll(List.of("--user", nameAndPassword[0], "on", ">" + nameAndPassword[1], "~*", "&*", "+@all"));
            }
            RedisServer server = new RedisServer(dir, false, args);
            server.tlsPort = certificate == null ? 0 : tls;
            server.launchOnAFreePort();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
        }
    }

    /** The TLS port of a {@link #startSecured} server (0 for none). */
    public int tlsPort() {
        return tlsPort;
    }

    /**
     * Starts a server on a free port; {@code appendOnly} keeps an AOF, synced on every write, so
     * a restart - even after a kill - keeps every acknowledged write.
     *
     * @param appendOnly whether to keep an append-only file
     * @return the running server
     */
    public static RedisServer start(boolean appendOnly) {
        return start(appendOnly, List.of());
    }

    /**
     * Starts a server on a free port with more command-line settings.
     *
     * @param appendOnly whether to keep an append-only file
     * @param extraArgs  more settings, e.g. {@code --cluster-enabled yes}
     * @return the running server
     */
    public static RedisServer start(boolean appendOnly, List<String> extraArgs) {
        try {
            RedisServer server = new RedisServer(Files.createTempDirectory("redtask-redis-"), appendOnly, extraArgs);
            server.launchOnAFreePort();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
        }
    }

    /**
     * The port it listens on (on 127.0.0.1).
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * Its address as RedTask's {@code redtask.redis.url} takes it.
     *
     * @return {@code redis://127.0.0.1:<port>}
     */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            process = null;
        }
    }

    /** Starts the server again on the same port and directory (after {@link #kill()} or {@link #close()}). */
    public void restart() {
        if (process != null) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        try {
            launch();
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart redis-server: " + e.getMessage(), e);
        }
    }

    /** Stops the server (SIGTERM: it saves the AOF) and waits for it. */
    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            waitFor(process);
            process = null;
        }
    }

    private void launch() throws IOException {
        String binary = findBinary();
        List<String> cmd = new ArrayList<>(List.of(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                appendOnly ? "yes" : "no",
                "--daemonize",
                "no",
                // With an AOF, every write is on disk before Redis answers: a kill -9 loses nothing.
                "--appendfsync",
                appendOnly ? "always" : "everysec",
                "--protected-mode",
                "yes",
                "--loglevel",
                "warning"));
        cmd.addAll(extraArgs);
        if (sentinelConfig != null) {
            cmd = new ArrayList<>(List.of(
                    binary,
                    sentinelConfig.toString(),
                    "--sentinel",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    dir.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            if (answersPing()) {
                return;
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting redis-server", e);
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not answer on port " + port + " within 10 s");
    }

    private boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            // While loading the AOF Redis answers -LOADING: not ready yet. A server that wants a
            // password answers -NOAUTH once it is ready.
            String answer = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts a Sentinel on a free port.
     *
     * @param config the Sentinel's configuration (written to a file it may rewrite)
     * @return the running Sentinel
     */
    public static RedisServer sentinel(String config) {
        return sentinel(config, null);
    }

    /**
     * Starts a Sentinel on a free port with {@code config}; with {@code certificate}, also on a TLS
     * port ({@link #tlsPort()}), and speaking TLS to the servers it watches.
     */
    public static RedisServer sentinel(String config, TestCertificates.Files certificate) {
        try {
            RedisServer server = new RedisServer(Files.createTempDirectory("redtask-sentinel-"), false, List.of());
            server.sentinelConfig = server.dir.resolve("sentinel.conf");
            String tlsConfig = "";
            if (certificate != null) {
                server.tlsPort = freePort();
                tlsConfig = "tls-port " + server.tlsPort + "\ntls-cert-file " + certificate.cert() + "\ntls-key-file "
                        + certificate.key() + "\ntls-ca-cert-file " + certificate.cert()
                        + "\ntls-auth-clients no\ntls-replication yes\n";
            }
            Files.writeString(server.sentinelConfig, tlsConfig + config);
            server.port = freePort();
            server.launch();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a Sentinel: " + e.getMessage(), e);
        }
    }

    /**
     * The server's own directory.
     *
     * @return where its configuration, AOF and log are
     */
    public Path dir() {
        return dir;
    }

    /**
     * Where {@code redis-server} is: on the {@code PATH}, or in {@code /usr/bin} or {@code /usr/local/bin}.
     *
     * @return the path of the binary
     * @throws IllegalStateException naming the package to install when there is none
     */
    public static String findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        for (String f : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(f).canExecute()) {
                return f;
            }
        }
        throw new IllegalStateException("redis-server not found: install it (apt-get install redis-server) "
                + "or run scripts/test, which does");
    }

    /**
     * Launches on a free port, and on another when that one was taken before Redis could bind it:
     * any process may take a port between {@link #freePort()} and the bind (outgoing connections
     * use the same range). A cluster node also binds port + 10000 for its bus (seen taken in CI).
     */
    private void launchOnAFreePort() throws IOException {
        boolean cluster = extraArgs.contains("--cluster-enabled");
        for (int attempt = 1; ; attempt++) {
            port = cluster ? freePortWithBus() : freePort();
            try {
                launch();
                return;
            } catch (IOException e) {
                if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static int freePortWithBus() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = freePort();
            if (p + 10_000 <= 65_535 && canBind(p + 10_000)) {
                return p;
            }
        }
        throw new IOException("no free port whose cluster bus port (+10000) is free too");
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** At the JVM's exit: ends what still runs, then deletes the directories (see the class comment). */
    private static void cleanUpAtExit() {
        // All told to go first, then waited for: a shutdown hook has little time.
        List<Process> ending = new ArrayList<>();
        for (RedisServer server : STARTED) {
            Process p = server.process;
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                ending.add(p);
            }
        }
        for (Process p : ending) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!Boolean.getBoolean("redtask.testing.keepRedisDirs")) {
            for (RedisServer server : STARTED) {
                deleteTree(server.dir);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Gone already, or not ours to delete: nothing to clean up then.
        }
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

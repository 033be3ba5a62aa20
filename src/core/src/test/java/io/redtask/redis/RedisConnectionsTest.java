package io.redtask.redis;

import io.redtask.engine.EngineSettings;
import io.redtask.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forms of {@code redtask.redis.url} the README gives for one server, each against a real
 * redis-server: {@code user:password@}, {@code /db}, {@code rediss://} (TLS), and URLs that cannot
 * work, refused naming the setting and without the password. (Sentinel and Cluster URLs:
 * {@code ClusterAndSentinelTest}.)
 */
class RedisConnectionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private RedisServer redis(List<String> args) {
        RedisServer server = RedisServer.start(false, args);
        cleanup.add(server::close);
        return server;
    }

    private UnifiedJedis open(String url) {
        UnifiedJedis client = RedisConnections.open(url, 4, TIMEOUT);
        cleanup.add(client::close);
        return client;
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    @Test
    void aUserAndPasswordInTheUrlLogIn() {
        RedisServer server = redis(List.of());
        try (UnifiedJedis admin = RedisProbe.open(server.url())) {
            admin.sendCommand(() -> "ACL".getBytes(StandardCharsets.US_ASCII),
                    "SETUSER", "alice", "on", ">s3cret", "~*", "&*", "+@all");
            // A password with characters that must be percent-encoded in a URL.
            admin.sendCommand(() -> "ACL".getBytes(StandardCharsets.US_ASCII),
                    "SETUSER", "bob", "on", ">p@ss:w/rd", "~*", "&*", "+@all");
            admin.sendCommand(() -> "ACL".getBytes(StandardCharsets.US_ASCII), "SETUSER", "default", "off");
        }
        String hostPort = "127.0.0.1:" + server.port();
        UnifiedJedis alice = open("redis://alice:s3cret@" + hostPort);
        assertEquals("PONG", alice.ping());
        assertEquals("alice", text(alice.sendCommand(() -> "ACL".getBytes(StandardCharsets.US_ASCII), "WHOAMI")));

        UnifiedJedis bob = open("redis://bob:p%40ss%3Aw%2Frd@" + hostPort);
        assertEquals("PONG", bob.ping());

        RuntimeException wrong = assertThrows(RuntimeException.class, () -> open("redis://alice:nope@" + hostPort).ping());
        assertFalse(String.valueOf(wrong.getMessage()).contains("nope"), wrong.getMessage());
        assertThrows(RuntimeException.class, () -> open("redis://" + hostPort).ping(), "the default user is off");
    }

    @Test
    void aDatabaseNumberInTheUrlKeepsTheKeysThere() {
        RedisServer server = redis(List.of());
        RedisStorage storage = RedisStorage.open(server.url() + "/3", 4, TIMEOUT, new Keys("dbtest"),
                EngineSettings.builder("store").build());
        cleanup.add(storage::close);
        storage.queues().register(List.of("mail"));
        UnifiedJedis db3 = open(server.url() + "/3");
        UnifiedJedis db0 = open(server.url());
        assertTrue(db3.exists("dbtest:queues"), "written to database 3");
        assertFalse(db0.exists("dbtest:queues"), "not to database 0");
        assertEquals(List.of("mail"), storage.queues().names());
    }

    @Test
    void redissSpeaksTls() throws Exception {
        Path dir = Files.createTempDirectory("redtask-tls-");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0,
                () -> "openssl could not make a certificate: " + read(dir.resolve("openssl.log")));
        int tlsPort = freePort();
        RedisServer server = redis(List.of("--tls-port", String.valueOf(tlsPort), "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no"));

        // Trust the test's certificate for this test only (Jedis uses the default SSL context).
        SSLContext before = SSLContext.getDefault();
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, trustOnly(cert).getTrustManagers(), null);
        SSLContext.setDefault(trusting);
        try {
            assertEquals("PONG", open("rediss://127.0.0.1:" + tlsPort).ping(), "TLS to the TLS port");
            assertThrows(RuntimeException.class, () -> open("redis://127.0.0.1:" + tlsPort).ping(),
                    "plain text to the TLS port: so the rediss:// client did speak TLS");
            assertThrows(RuntimeException.class, () -> open("rediss://127.0.0.1:" + server.port()).ping(),
                    "TLS to the plain port");
        } finally {
            SSLContext.setDefault(before);
        }
    }

    @Test
    void aUrlThatCannotWorkIsRefusedNamingTheSettingAndHidingThePassword() {
        for (String url : List.of("", "localhost:6379", "http://127.0.0.1:6379", "redis://u:hunter2@:6379",
                "redis://u:hunter2@127.0.0.1:6379 x", "redis-cluster://u:hunter2@127.0.0.1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(url), url);
            assertTrue(e.getMessage().contains("redtask.redis.url"), () -> url + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), () -> url + ": " + e.getMessage());
        }
        assertEquals("redis://u:***@h:1", RedisConnections.redact("redis://u:hunter2@h:1"));
    }

    private static TrustManagerFactory trustOnly(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            store.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }
}

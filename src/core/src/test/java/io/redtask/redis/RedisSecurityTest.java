package io.redtask.redis;

import io.redtask.StoreUnavailableException;
import io.redtask.engine.EngineSettings;
import io.redtask.testing.RedisServer;
import io.redtask.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections to a Redis that wants TLS and a login, against a real redis-server started with
 * {@code --tls-port} and an ACL user: the certificate is checked against a trust store and the host
 * name, ACL {@code user:password} and plain {@code requirepass} logins work, a Sentinel is reached
 * over TLS with passwords, and no password - not even one holding {@code @ : /} - shows in a
 * message, a log line or a redacted URL.
 */
class RedisSecurityTest {

    /** An ACL password with every character a URL gives meaning to. */
    static final String ACL_PASSWORD = "p@ss:w/rd?x=1&y#%";

    static final String REQUIRE_PASS = "only@pass:/word";

    @TempDir
    static Path dir;

    static TestCertificates.Files certificate;
    static RedisServer acl;
    static RedisServer requirePass;

    @BeforeAll
    static void start() {
        certificate = TestCertificates.create(dir.resolve("cert"), "dns:localhost,ip:127.0.0.1");
        acl = RedisServer.startSecured(certificate, null, List.of("app " + ACL_PASSWORD));
        requirePass = RedisServer.startSecured(certificate, REQUIRE_PASS, List.of());
    }

    @AfterAll
    static void stop() {
        for (RedisServer r : new RedisServer[] {acl, requirePass}) {
            if (r != null) {
                r.close();
            }
        }
    }

    private static RedisConnections.Trust trust() {
        return new RedisConnections.Trust(certificate.truststore(), TestCertificates.PASSWORD.toCharArray());
    }

    private static String encoded(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void roundTrip(UnifiedJedis redis) {
        try (redis) {
            redis.set("redtask-security-test", "ok");
            assertEquals("ok", redis.get("redtask-security-test"));
        }
    }

    @Test
    void tlsWithATrustStoreAndAnAclUserWorks() {
        roundTrip(RedisConnections.open(
                "rediss://app:" + encoded(ACL_PASSWORD) + "@localhost:" + acl.tlsPort(),
                2,
                Duration.ofSeconds(2),
                trust()));
        // The same password written as it is: the user information runs to the last '@'.
        roundTrip(RedisConnections.open(
                "rediss://app:" + ACL_PASSWORD + "@localhost:" + acl.tlsPort(), 2, Duration.ofSeconds(2), trust()));
    }

    @Test
    void aPasswordAloneIsRequirepass() {
        roundTrip(RedisConnections.open(
                "rediss://" + encoded(REQUIRE_PASS) + "@localhost:" + requirePass.tlsPort(),
                2,
                Duration.ofSeconds(2),
                trust()));
        roundTrip(RedisConnections.open(
                "redis://:" + REQUIRE_PASS + "@127.0.0.1:" + requirePass.port(), 2, Duration.ofSeconds(2)));
    }

    @Test
    void theHostNameIsChecked() throws Exception {
        // Trusted, but made for another name: refused as HTTPS would refuse it.
        TestCertificates.Files other = TestCertificates.create(dir.resolve("other"), "dns:redis.example");
        try (RedisServer elsewhere = RedisServer.startSecured(other, null, List.of())) {
            RedisConnections.Trust trustOther =
                    new RedisConnections.Trust(other.truststore(), TestCertificates.PASSWORD.toCharArray());
            Exception e = assertThrows(
                    Exception.class,
                    () -> roundTrip(RedisConnections.open(
                            "rediss://localhost:" + elsewhere.tlsPort(), 1, Duration.ofSeconds(2), trustOther)));
            assertTrue(trace(e).contains("No subject alternative DNS name matching localhost"), () -> trace(e));
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() {
        // The JVM's default trust store does not know the self-signed certificate.
        Exception e = assertThrows(
                Exception.class,
                () -> roundTrip(RedisConnections.open(
                        "rediss://app:" + encoded(ACL_PASSWORD) + "@localhost:" + acl.tlsPort(),
                        1,
                        Duration.ofSeconds(2))));
        assertTrue(trace(e).contains("PKIX path building failed"), () -> trace(e));
        assertFalse(
                trace(e).contains(ACL_PASSWORD) || trace(e).contains(encoded(ACL_PASSWORD)), "password in " + trace(e));
    }

    @Test
    void aWrongTrustStorePasswordSaysWhatToCheck() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RedisConnections.open(
                        "rediss://localhost:" + acl.tlsPort(),
                        1,
                        Duration.ofSeconds(2),
                        new RedisConnections.Trust(certificate.truststore(), "wrong-secret".toCharArray())));
        assertTrue(e.getMessage().contains("redtask.redis.truststore-password"), e::getMessage);
        assertFalse(trace(e).contains("wrong-secret"));
    }

    @Test
    void noPasswordShowsInMessagesOrLogsWhenTheLoginFails() {
        String wrong = "wr@ng:pass/word";
        String url = "rediss://app:" + wrong + "@localhost:" + acl.tlsPort();
        List<String> logged = capturingLogs(() -> {
            RedisStorage storage = RedisStorage.open(
                    url,
                    1,
                    Duration.ofSeconds(2),
                    new Keys("sec-test"),
                    EngineSettings.DEFAULTS,
                    certificate.truststore().toString(),
                    TestCertificates.PASSWORD);
            try {
                // A refused login is an outage (503, readiness DOWN, retried), not a crash.
                StoreUnavailableException e = assertThrows(StoreUnavailableException.class, storage::ping);
                assertTrue(e.getMessage().contains("refuses RedTask's login"), e::getMessage);
                assertFalse(trace(e).contains(wrong), () -> "password in " + trace(e));
                assertFalse(trace(e).contains("ng:pass"), () -> "part of the password in " + trace(e));
            } finally {
                storage.close();
            }
            return null;
        });
        logged.forEach(line -> assertFalse(line.contains("ng:pass") || line.contains("pass/word"), line));
        // The URL as logs show it.
        String shown = RedisStorage.redact(url);
        assertFalse(shown.contains("ng:pass") || shown.contains("word"), shown);
        assertTrue(shown.startsWith("rediss://app:***@localhost:"), shown);
    }

    @Test
    void badUrlsAreRefusedWithoutShowingThePassword() {
        for (String url : new String[] {
            "redis://user:s3cr@t:/x@127.0.0.1:notaport",
            "redis://s3cr@t:/x@",
            "rediss://user:s3cr@t:/x@127.0.0.1:6379/notadb",
            "redis-sentinel://user:s3cr@t:/x@127.0.0.1:26379",
            "redis://user:s3cr@t:/x@127.0.0.1:6379?unknown=1",
            "http://user:s3cr@t:/x@127.0.0.1:6379"
        }) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> RedisConnections.open(url, 1, Duration.ofSeconds(1)).close(),
                    url);
            assertFalse(trace(e).contains("s3cr") || trace(e).contains("t:/x"), () -> url + " -> " + trace(e));
        }
    }

    @Test
    void redactionHidesEveryFormOfPassword() {
        assertEquals("redis://***@127.0.0.1:6379", RedisConnections.redact("redis://secret@127.0.0.1:6379"));
        assertEquals("redis://:***@127.0.0.1:6379", RedisConnections.redact("redis://:secret@127.0.0.1:6379"));
        assertEquals(
                "redis://user:***@127.0.0.1:6379/0",
                RedisConnections.redact("redis://user:se@cr:et/x@127.0.0.1:6379/0"));
        assertEquals("rediss://user:***@h:1", RedisConnections.redact("rediss://user:p%40ss@h:1"));
        assertEquals(
                "redis-sentinel://a:***@h1:26379,h2:26379/m?sentinel-user=s&sentinel-password=***",
                RedisConnections.redact(
                        "redis-sentinel://a:b@h1:26379,h2:26379/m?sentinel-user=s&sentinel-password=x%40y"));
        assertEquals("redis://127.0.0.1:6379", RedisConnections.redact("redis://127.0.0.1:6379"));
        assertFalse(MultiHostUrl.parse("redis://u:topsecret@h:1").toString().contains("topsecret"));
    }

    @Test
    void aSentinelIsReachedOverTlsWithPasswords() throws Exception {
        String masterPassword = "m@ster:/pw";
        String sentinelPassword = "s3nt@inel";
        try (RedisServer master = RedisServer.startSecured(certificate, masterPassword, List.of());
                RedisServer sentinel = RedisServer.sentinel(
                        "requirepass " + sentinelPassword + "\n"
                                + "sentinel monitor tlsmaster 127.0.0.1 " + master.tlsPort() + " 1\n"
                                + "sentinel auth-pass tlsmaster " + masterPassword + "\n"
                                + "sentinel down-after-milliseconds tlsmaster 1000\n",
                        certificate)) {
            String url = "rediss-sentinel://:" + encoded(masterPassword) + "@localhost:" + sentinel.tlsPort()
                    + "/tlsmaster?sentinel-password=" + encoded(sentinelPassword);
            roundTrip(RedisConnections.open(url, 2, Duration.ofSeconds(2), trust()));
            String shown = RedisConnections.redact(url);
            assertFalse(shown.contains("m@ster") || shown.contains("s3nt"), shown);
            // Without the Sentinel's password it refuses to say where the master is.
            Exception e = assertThrows(
                    Exception.class,
                    () -> roundTrip(RedisConnections.open(
                            "rediss-sentinel://:" + encoded(masterPassword) + "@localhost:" + sentinel.tlsPort()
                                    + "/tlsmaster",
                            1,
                            Duration.ofSeconds(2),
                            trust())));
            assertFalse(trace(e).contains("ster:/pw"), () -> trace(e));
        }
    }

    @Test
    void aStoreThatCannotConnectSaysSoWithoutThePassword() throws Exception {
        int unused;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            unused = s.getLocalPort();
        }
        String url = "redis://app:n0t@ll:owed/x@127.0.0.1:" + unused;
        RedisStorage storage =
                RedisStorage.open(url, 1, Duration.ofMillis(500), new Keys("sec-test"), EngineSettings.DEFAULTS);
        try {
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, storage::ping);
            assertFalse(trace(e).contains("n0t@ll") || trace(e).contains("owed/x"), () -> trace(e));
        } finally {
            storage.close();
        }
    }

    private static String trace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** Runs {@code body} and returns what was logged meanwhile, at any level, by anyone. */
    private static List<String> capturingLogs(Supplier<Void> body) {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Logger root = Logger.getLogger("");
        java.util.logging.Level before = root.getLevel();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                StringBuilder b = new StringBuilder(String.valueOf(r.getMessage()));
                if (r.getParameters() != null) {
                    for (Object p : r.getParameters()) {
                        b.append(' ').append(p);
                    }
                }
                if (r.getThrown() != null) {
                    b.append(' ').append(trace(r.getThrown()));
                }
                lines.add(b.toString());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        root.addHandler(handler);
        root.setLevel(java.util.logging.Level.ALL);
        try {
            body.get();
        } finally {
            root.removeHandler(handler);
            root.setLevel(before);
        }
        return lines;
    }

    @Test
    void theTrustStoreMustBeReadable() throws Exception {
        Path missing = dir.resolve("missing.p12");
        assertFalse(Files.exists(missing));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RedisConnections.open(
                        "rediss://localhost:1", 1, Duration.ofSeconds(1), new RedisConnections.Trust(missing, null)));
        assertTrue(e.getMessage().contains("cannot read"), e::getMessage);
    }
}

package io.redtask.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for TLS tests, made with the JDK's own {@code keytool} (no openssl
 * needed): the PEM certificate and key a redis-server reads, and a PKCS12 trust store holding the
 * certificate for the client.
 */
public final class TestCertificates {

    /** Password of every store made here. */
    public static final String PASSWORD = "changeit-test";

    /**
     * @param cert       the certificate, PEM
     * @param key        its private key, PEM (PKCS#8)
     * @param truststore a PKCS12 trust store holding the certificate, password {@link #PASSWORD}
     */
    public record Files(Path cert, Path key, Path truststore) {}

    private TestCertificates() {}

    /** A certificate for the names in {@code subjectAltNames} ({@code dns:localhost,ip:127.0.0.1}). */
    public static Files create(Path dir, String subjectAltNames) {
        try {
            java.nio.file.Files.createDirectories(dir);
            Path p12 = dir.resolve("server.p12");
            java.nio.file.Files.deleteIfExists(p12);
            String keytool =
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(List.of(
                            keytool,
                            "-genkeypair",
                            "-alias",
                            "redis",
                            "-keyalg",
                            "RSA",
                            "-keysize",
                            "2048",
                            "-validity",
                            "2",
                            "-dname",
                            "CN=localhost",
                            "-ext",
                            "SAN=" + subjectAltNames,
                            "-keystore",
                            p12.toString(),
                            "-storetype",
                            "PKCS12",
                            "-storepass",
                            PASSWORD,
                            "-keypass",
                            PASSWORD))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = java.nio.file.Files.newInputStream(p12)) {
                store.load(in, PASSWORD.toCharArray());
            }
            PrivateKey key = (PrivateKey) store.getKey("redis", PASSWORD.toCharArray());
            Certificate cert = store.getCertificate("redis");
            Path certFile = dir.resolve("cert.pem");
            Path keyFile = dir.resolve("key.pem");
            java.nio.file.Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
            java.nio.file.Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("redis", cert);
            Path truststore = dir.resolve("truststore.p12");
            try (OutputStream o = java.nio.file.Files.newOutputStream(truststore)) {
                trust.store(o, PASSWORD.toCharArray());
            }
            return new Files(certFile, keyFile, truststore);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}

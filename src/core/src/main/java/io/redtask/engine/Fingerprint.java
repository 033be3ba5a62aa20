package io.redtask.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short digest of a task's type and payload, kept with its idempotency key: a repeat of the same
 * submit is a duplicate, a different task reusing the key is a conflict.
 */
final class Fingerprint {

    private Fingerprint() {}

    /** The first 16 bytes of SHA-256 over the type and the payload JSON, in hex. */
    static String of(String type, String payloadJson) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(type.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(payloadJson.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}

package io.redtask.store;

import io.redtask.InvalidRequestException;

import java.security.SecureRandom;

/**
 * Task ids: {@code <queue>:<26 characters>}, the second part time-ordered like a ULID (48 bits of
 * milliseconds, 80 random bits, Crockford base 32). The queue is in the id so that any server can
 * find a task's record from the id alone, while every key of a queue keeps the queue's hash tag
 * (one Redis Cluster slot per queue).
 */
public final class TaskIds {

    private static final String DIGIT = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final char[] ALPHABET = DIGIT.toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {}

    /** A new id for a task of {@code queue}. */
    public static String next(String queue, long nowMillis) {
        char[] out = new char[26];
        long time = nowMillis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        // 80 random bits as 16 characters of 5 bits.
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (random[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return queue + ":" + new String(out);
    }

    /**
     * The time (epoch milliseconds) an id was made at, as {@link #next} wrote it: the first ten
     * characters of its second part; -1 for an id of another shape. A task record that stores no createdAt
     * was created then.
     */
    public static long timeOf(String id) {
        int colon = id.lastIndexOf(':');
        if (id.length() - colon - 1 != 26) {
            return -1;
        }
        long t = 0;
        for (int i = colon + 1; i < colon + 11; i++) {
            int d = DIGIT.indexOf(id.charAt(i));
            if (d < 0) {
                return -1;
            }
            t = (t << 5) | d;
        }
        return t;
    }

    /**
     * The queue part of an id: the queue, or for a task of a sharded queue the shard it lives in
     * ({@link ShardNames#queueOf} gives its queue).
     *
     * @throws InvalidRequestException when {@code id} is not a RedTask id
     */
    public static String queueOf(String id) {
        int colon = id == null ? -1 : id.lastIndexOf(':');
        if (colon <= 0 || colon == id.length() - 1 || !ShardNames.isValid(id.substring(0, colon))) {
            throw new InvalidRequestException("id", "not a task id: " + (id == null ? "null" : "'" + id + "'"));
        }
        return id.substring(0, colon);
    }

    /** Whether {@code id} has the shape of a task id. */
    public static boolean isWellFormed(String id) {
        if (id == null) {
            return false;
        }
        int colon = id.lastIndexOf(':');
        return colon > 0 && colon < id.length() - 1 && ShardNames.isValid(id.substring(0, colon));
    }
}

package io.redtask.engine;

import java.time.Duration;

/**
 * How sure a submit or a completion is to survive a Redis crash before it is acknowledged
 * ({@code redtask.durability}).
 *
 * @param mode     {@code ASYNC}: acknowledged when the master has it (Redis's own persistence
 *                 settings decide the rest); {@code FSYNC}: also written to the master's AOF on disk
 *                 ({@code WAITAOF}, Redis 7.2 or later); {@code REPLICAS}: also received by
 *                 {@code replicas} replicas ({@code WAIT}), so a failover keeps it
 * @param replicas how many replicas must confirm, for {@code REPLICAS}
 * @param timeout  how long to wait for the confirmation
 */
public record Durability(Mode mode, int replicas, Duration timeout) {

    /** The modes. */
    public enum Mode {
        ASYNC,
        FSYNC,
        REPLICAS
    }

    /** Acknowledged when the master has it: the default, and the fastest. */
    public static final Durability ASYNC = new Durability(Mode.ASYNC, 0, Duration.ofSeconds(1));
    // (The timeout of every mode defaults to 1 s: shorter than the default Redis read timeout of 2 s.)

    public Durability {
        if (mode == Mode.REPLICAS && replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1 for durability replicas:N");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the durability timeout must be positive");
        }
    }

    /**
     * Reads {@code async}, {@code fsync} or {@code replicas:N}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Durability parse(String text, Duration timeout) {
        String t = text == null ? "async" : text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("async")) {
            return new Durability(Mode.ASYNC, 0, timeout);
        }
        if (t.equals("fsync")) {
            return new Durability(Mode.FSYNC, 0, timeout);
        }
        if (t.startsWith("replicas:")) {
            try {
                return new Durability(Mode.REPLICAS, Integer.parseInt(t.substring("replicas:".length())), timeout);
            } catch (NumberFormatException e) {
                // named below
            }
        }
        throw new IllegalArgumentException(
                "redtask.durability must be async, fsync or replicas:N (N at least 1), " + "was '" + text + "'");
    }

    @Override
    public String toString() {
        return switch (mode) {
            case ASYNC -> "async";
            case FSYNC -> "fsync";
            case REPLICAS -> "replicas:" + replicas;
        };
    }
}

package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.NodeInfo;
import io.redtask.Schedule;
import io.redtask.Submission;
import io.redtask.SubmitOptions;
import io.redtask.store.NodeRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;

/**
 * Bounds on what a submit or a schedule may ask for, checked before anything is converted or
 * stored, so that a caller's mistake (or an attacker's probe) is a 400 naming the field and never
 * an overflow deep inside the engine: sizes, nesting, name lengths, how far ahead a task may be
 * due, how long an attempt may run, how many attempts, and which queues exist.
 *
 * <p>The limits are part of each engine's {@link EngineSettings#limits()} (from MicroProfile
 * Config in {@code io.redtask.cdi.RedTaskConfig}); engines built without them use
 * {@link Limits#DEFAULTS}. The web layer gets the same object through CDI.
 */
public final class SubmitLimits {

    /**
     * The bounds.
     *
     * @param payloadBytes   most bytes of a payload written as JSON ({@code redtask.limits.payload-bytes})
     * @param jsonDepth      deepest nesting of a payload's arrays and objects ({@code redtask.limits.json-depth})
     * @param nameLength     most characters of a task type and an idempotency key ({@code redtask.limits.name-length};
     *                       queue names have their own fixed rule: 1 to 64 of {@code A-Z a-z 0-9 _ -})
     * @param maxDelay       how far ahead (and, for {@code runAt}, behind) a task may be due ({@code redtask.limits.max-delay})
     * @param maxTimeout     longest timeout of one attempt ({@code redtask.limits.max-timeout})
     * @param maxAttempts    most attempts of a task ({@code redtask.limits.max-attempts})
     * @param allowedQueues  queues a submit may name although no live server serves them now
     *                       ({@code redtask.queues.allowed}; {@code name*} allows every queue whose name starts
     *                       with {@code name}, {@code *} every queue); this server's own {@code redtask.queues} always may
     * @param knownQueuesAge how long the set of queues live servers serve is reused ({@code redtask.queues.known-cache})
     */
    public record Limits(
            int payloadBytes,
            int jsonDepth,
            int nameLength,
            Duration maxDelay,
            Duration maxTimeout,
            int maxAttempts,
            Set<String> allowedQueues,
            Duration knownQueuesAge) {

        /** 512 KB payloads, 64 levels, 256 characters, 10 years ahead, 24 h attempts, 1000 attempts. */
        public static final Limits DEFAULTS = new Limits(
                512 * 1024,
                64,
                256,
                Duration.ofDays(3653),
                Duration.ofHours(24),
                1000,
                Set.of(),
                Duration.ofSeconds(2));

        public Limits {
            if (payloadBytes < 16) {
                throw new IllegalArgumentException(
                        "redtask.limits.payload-bytes must be at least 16, was " + payloadBytes);
            }
            if (jsonDepth < 1 || jsonDepth > 1000) {
                throw new IllegalArgumentException(
                        "redtask.limits.json-depth must be between 1 and 1000, was " + jsonDepth);
            }
            if (nameLength < 1 || nameLength > SubmitOptions.MAX_IDEMPOTENCY_KEY) {
                throw new IllegalArgumentException("redtask.limits.name-length must be between 1 and "
                        + SubmitOptions.MAX_IDEMPOTENCY_KEY + ", was " + nameLength);
            }
            // Past about 290,000 years an instant no longer fits in epoch milliseconds.
            if (maxDelay.isNegative() || maxDelay.isZero() || maxDelay.compareTo(Duration.ofDays(100 * 366)) > 0) {
                throw new IllegalArgumentException(
                        "redtask.limits.max-delay must be positive and at most 100 years, was " + maxDelay);
            }
            if (maxTimeout.isNegative() || maxTimeout.isZero() || maxTimeout.compareTo(Duration.ofDays(366)) > 0) {
                throw new IllegalArgumentException(
                        "redtask.limits.max-timeout must be positive and at most a year, was " + maxTimeout);
            }
            if (maxAttempts < 1 || maxAttempts > 1000) {
                throw new IllegalArgumentException(
                        "redtask.limits.max-attempts must be between 1 and 1000, was " + maxAttempts);
            }
            allowedQueues = Set.copyOf(allowedQueues);
            if (knownQueuesAge.isNegative()) {
                throw new IllegalArgumentException(
                        "redtask.queues.known-cache must not be negative, was " + knownQueuesAge);
            }
        }

        /**
         * These limits with {@code queues} as the queues a submit may name although no live server
         * serves them ({@code redtask.queues.allowed}).
         */
        public Limits withAllowedQueues(Set<String> queues) {
            return new Limits(
                    payloadBytes, jsonDepth, nameLength, maxDelay, maxTimeout, maxAttempts, queues, knownQueuesAge);
        }
    }

    /** A queue a submit names that the cached set lacks is looked up again, but not more often than this. */
    private static final long MISS_REFRESH_MILLIS = 100;
    /** Most characters of a caller's text repeated in an error message. */
    private static final int SHOWN = 80;

    /**
     * The queues live servers serve, per registry (one per engine's storage), read at most every
     * knownQueuesAge: a cache of what Redis says, not a setting.
     */
    private static final Map<NodeRegistry, KnownQueues> KNOWN = Collections.synchronizedMap(new WeakHashMap<>());

    private SubmitLimits() {}

    /**
     * Checks a submit (from {@code Submitter.prepare}, after the payload was written as JSON and
     * before anything else is done with it).
     *
     * @throws InvalidRequestException naming the field that is out of bounds
     */
    static void check(Submission s, String payloadJson, long now, NodeRegistry nodes, EngineSettings settings) {
        Limits l = settings.limits();
        SubmitOptions o = s.options();
        common(l, s.type(), payloadJson, o);
        if (o.idempotencyKey() != null && o.idempotencyKey().length() > l.nameLength()) {
            throw new InvalidRequestException(
                    "idempotencyKey",
                    "is " + o.idempotencyKey().length() + " characters long; at most " + l.nameLength()
                            + " (redtask.limits.name-length)");
        }
        if (o.group() != null && o.group().length() > l.nameLength()) {
            throw new InvalidRequestException(
                    "group",
                    "is " + o.group().length() + " characters long; at most " + l.nameLength()
                            + " (redtask.limits.name-length)");
        }
        if (o.delay() != null && o.delay().compareTo(l.maxDelay()) > 0) {
            throw new InvalidRequestException(
                    "delay",
                    "must be at most " + l.maxDelay() + " (redtask.limits.max-delay), was "
                            + shown(o.delay().toString()));
        }
        if (o.runAt() != null) {
            Instant at = o.runAt();
            Instant from = Instant.ofEpochMilli(now);
            if (at.isAfter(from.plus(l.maxDelay())) || at.isBefore(from.minus(l.maxDelay()))) {
                throw new InvalidRequestException(
                        "runAt",
                        "must be within " + l.maxDelay() + " of now (redtask.limits.max-delay), was "
                                + shown(at.toString()));
            }
        }
        knownQueue(l, o.queueName(), now, nodes, settings);
    }

    /**
     * Checks a recurring schedule (from {@code Schedules.save}, after its payload was written as JSON).
     *
     * @throws InvalidRequestException naming the field that is out of bounds
     */
    static void check(Schedule s, String payloadJson, Limits limits) {
        common(limits, s.type(), payloadJson, s.options());
    }

    private static void common(Limits l, String type, String payloadJson, SubmitOptions o) {
        if (type != null && type.length() > l.nameLength()) {
            throw new InvalidRequestException(
                    "type",
                    "is " + type.length() + " characters long; at most " + l.nameLength()
                            + " (redtask.limits.name-length)");
        }
        if (payloadJson != null) {
            long bytes = utf8Length(payloadJson, l.payloadBytes());
            if (bytes > l.payloadBytes()) {
                throw new InvalidRequestException(
                        "payload",
                        "is " + (bytes == Long.MAX_VALUE ? "more than " + l.payloadBytes() : bytes)
                                + " bytes as JSON; at most " + l.payloadBytes()
                                + " (redtask.limits.payload-bytes)");
            }
            int depth = depth(payloadJson, l.jsonDepth());
            if (depth > l.jsonDepth()) {
                throw new InvalidRequestException(
                        "payload",
                        "nests arrays and objects more than " + l.jsonDepth()
                                + " levels deep (redtask.limits.json-depth)");
            }
        }
        if (o.timeout() != null && o.timeout().compareTo(l.maxTimeout()) > 0) {
            throw new InvalidRequestException(
                    "timeout",
                    "must be at most " + l.maxTimeout() + " (redtask.limits.max-timeout), was "
                            + shown(o.timeout().toString()));
        }
        if (o.maxAttempts() != null && o.maxAttempts() > l.maxAttempts()) {
            throw new InvalidRequestException(
                    "maxAttempts",
                    "must be at most " + l.maxAttempts() + " (redtask.limits.max-attempts), was " + o.maxAttempts());
        }
    }

    /**
     * Tasks of a queue no server serves would wait forever, and every new queue name costs Redis
     * keys, an MBean and metrics: a submit may only name a queue that a live server serves, this
     * server's own queues, or one of {@code redtask.queues.allowed}.
     */
    private static void knownQueue(Limits l, String queue, long now, NodeRegistry nodes, EngineSettings settings) {
        if (settings.queues().contains(queue) || allowed(l.allowedQueues(), queue)) {
            return;
        }
        KnownQueues known;
        synchronized (KNOWN) {
            known = KNOWN.computeIfAbsent(nodes, n -> new KnownQueues());
        }
        if (known.serves(queue, now, nodes, l.knownQueuesAge().toMillis())) {
            return;
        }
        Set<String> names = new TreeSet<>(known.queues);
        names.addAll(settings.queues());
        names.addAll(l.allowedQueues());
        throw new InvalidRequestException(
                "queue",
                "no running server serves queue '" + queue + "' and it is not in "
                        + "redtask.queues.allowed; known queues: " + names);
    }

    /** Whether {@code queue} is one of {@code allowed}, where {@code name*} stands for every name starting so. */
    static boolean allowed(Set<String> allowed, String queue) {
        if (allowed.contains(queue)) {
            return true;
        }
        for (String a : allowed) {
            if (a.endsWith("*") && queue.startsWith(a.substring(0, a.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    /** The queues live servers serve, as last read. */
    private static final class KnownQueues {
        private volatile Set<String> queues = Set.of();
        private volatile long readAt = Long.MIN_VALUE / 2;

        boolean serves(String queue, long now, NodeRegistry nodes, long maxAge) {
            if (queues.contains(queue) && now - readAt <= maxAge) {
                return true;
            }
            // A server that just started serving a queue is seen at once; a flood of unknown names
            // costs one read of the registry per MISS_REFRESH_MILLIS at the most.
            if (now - readAt > maxAge || now - readAt >= MISS_REFRESH_MILLIS) {
                synchronized (this) {
                    if (now - readAt > maxAge || now - readAt >= MISS_REFRESH_MILLIS) {
                        Set<String> fresh = new TreeSet<>();
                        for (NodeInfo n : nodes.nodes(now)) {
                            fresh.addAll(n.queues());
                        }
                        queues = Set.copyOf(fresh);
                        readAt = now;
                    }
                }
            }
            return queues.contains(queue);
        }
    }

    /**
     * How deeply {@code json}'s arrays and objects nest (0 for a scalar), counting no further than
     * {@code stopAbove + 1}. A scan of the text, without building anything, so any depth is safe.
     */
    public static int depth(CharSequence json, int stopAbove) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
                if (depth > max) {
                    max = depth;
                    if (max > stopAbove) {
                        return max;
                    }
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }

    /** The UTF-8 length of {@code s}, or {@link Long#MAX_VALUE} as soon as it is known to exceed {@code limit}. */
    private static long utf8Length(String s, int limit) {
        if (s.length() > limit) {
            return Long.MAX_VALUE;
        }
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String shown(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
    }
}

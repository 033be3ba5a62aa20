package io.redtask;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A queue's cluster-wide rate limit: at most {@code limit} tasks start in any window of length
 * {@code per}, counted across all servers on Redis's clock. Written {@code 100/PT1S}.
 *
 * @param limit how many starts a window may hold, 1 to {@value #MAX_LIMIT}
 * @param per   the window, 1 ms to 1 day
 */
public record RateLimit(int limit, Duration per) {

    /** The most starts one window may hold (each start in the window costs Redis a few dozen bytes). */
    public static final int MAX_LIMIT = 100_000;
    /** The longest window. */
    public static final Duration MAX_PER = Duration.ofDays(1);

    /**
     * Checks the values, naming the field that is wrong.
     *
     * @param limit how many starts a window may hold
     * @param per   the window
     * @throws InvalidRequestException when {@code limit} or {@code per} is out of range
     */
    public RateLimit {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (per == null) {
            throw new InvalidRequestException("per", "is required: an ISO-8601 duration such as PT1S");
        }
        if (per.toMillis() < 1 || per.compareTo(MAX_PER) > 0) {
            throw new InvalidRequestException("per", "must be between PT0.001S and " + MAX_PER + ", was " + per);
        }
    }

    /**
     * Reads {@code <limit>/<ISO-8601 duration>}, such as {@code 100/PT1S} or {@code 5/PT1M}.
     *
     * @param text the limit as written
     * @return the limit
     * @throws InvalidRequestException naming {@code rate} when the text is not of that form
     */
    public static RateLimit parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new InvalidRequestException(
                    "rate", "must be <limit>/<ISO-8601 duration>, such as 100/PT1S, was '" + text + "'");
        }
        int limit;
        try {
            limit = Integer.parseInt(text.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(
                    "limit", "must be a whole number, was '" + text.substring(0, slash) + "'");
        }
        Duration per;
        try {
            per = Duration.parse(text.substring(slash + 1).strip());
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(
                    "per", "must be an ISO-8601 duration such as PT1S, was '" + text.substring(slash + 1) + "'");
        }
        return new RateLimit(limit, per);
    }

    /** As {@link #parse} reads it: {@code 100/PT1S}. */
    @Override
    public String toString() {
        return limit + "/" + per;
    }
}

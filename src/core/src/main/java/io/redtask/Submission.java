package io.redtask;

import java.util.Objects;

/**
 * One task of a {@link TaskScheduler#submitAll batch}.
 *
 * @param type    handler name
 * @param payload JSON-B serialisable payload, or {@code null}
 * @param options queue, priority, timing...
 */
public record Submission(String type, Object payload, SubmitOptions options) {

    public Submission {
        Objects.requireNonNull(options, "options");
    }

    /** A submission with default options. */
    public static Submission of(String type, Object payload) {
        return new Submission(type, payload, SubmitOptions.defaults());
    }
}

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

    /**
     * Checks the parts.
     *
     * @param type    handler name
     * @param payload JSON-B serialisable payload, or {@code null}
     * @param options queue, priority, timing..., not {@code null}
     */
    public Submission {
        Objects.requireNonNull(options, "options");
    }

    /**
     * A submission with default options.
     *
     * @param type    handler name
     * @param payload JSON-B serialisable payload, or {@code null}
     * @return the submission
     */
    public static Submission of(String type, Object payload) {
        return new Submission(type, payload, SubmitOptions.defaults());
    }

    /**
     * A submission to the handler class's type ({@link TaskType}) with default options.
     *
     * @param <P>     the handler's payload type
     * @param handler a handler class annotated with {@link TaskType}
     * @param payload its payload, or {@code null}
     * @return the submission
     * @throws InvalidRequestException when the class has no {@link TaskType}
     */
    public static <P> Submission of(Class<? extends TaskHandler<P, ?>> handler, P payload) {
        return new Submission(HandlerTypes.nameOf(handler), payload, SubmitOptions.defaults());
    }

    /**
     * A submission to the handler class's type ({@link TaskType}) with options.
     *
     * @param <P>     the handler's payload type
     * @param handler a handler class annotated with {@link TaskType}
     * @param payload its payload, or {@code null}
     * @param options queue, priority, timing...
     * @return the submission
     * @throws InvalidRequestException when the class has no {@link TaskType}
     */
    public static <P> Submission of(Class<? extends TaskHandler<P, ?>> handler, P payload, SubmitOptions options) {
        return new Submission(HandlerTypes.nameOf(handler), payload, options);
    }
}

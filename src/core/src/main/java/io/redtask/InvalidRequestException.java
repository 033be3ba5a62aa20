package io.redtask;

/**
 * A request was refused because one of its fields is not valid; nothing was stored or changed.
 * Submits, schedules and operators' requests all use it, whether they come from Java, JMX or REST
 * (where it becomes a 400 naming the field).
 */
public class InvalidRequestException extends RedTaskException {

    /** The name of the field that is wrong. */
    private final String field;

    /**
     * The exception for a field that is wrong.
     *
     * @param field   the name of the field that is wrong, e.g. {@code "queue"}
     * @param problem what is wrong with it, in words the caller can act on
     */
    public InvalidRequestException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /**
     * The same, with the exception that revealed the problem.
     *
     * @param field   the name of the field that is wrong
     * @param problem what is wrong with it
     * @param cause   the exception that revealed it
     */
    public InvalidRequestException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, cause);
        this.field = field;
    }

    /**
     * The name of the field that is wrong.
     *
     * @return e.g. {@code "queue"}, or {@code "tasks[2].payload"} in a batch
     */
    public String field() {
        return field;
    }
}

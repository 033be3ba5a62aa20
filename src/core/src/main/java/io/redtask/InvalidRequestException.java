package io.redtask;

/**
 * A request was refused because one of its fields is not valid; nothing was stored or changed.
 * Submits, schedules and operators' requests all use it, whether they come from Java, JMX or REST
 * (where it becomes a 400 naming the field).
 */
public class InvalidRequestException extends RedTaskException {

    private final String field;

    /**
     * @param field   the name of the field that is wrong, e.g. {@code "queue"}
     * @param problem what is wrong with it, in words the caller can act on
     */
    public InvalidRequestException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The same, with the exception that revealed the problem. */
    public InvalidRequestException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, cause);
        this.field = field;
    }

    /** The name of the field that is wrong, e.g. {@code "queue"}. */
    public String field() {
        return field;
    }
}

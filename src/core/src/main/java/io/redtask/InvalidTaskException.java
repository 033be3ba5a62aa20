package io.redtask;

/** A submit was refused because one of its fields is not valid; nothing was stored. */
public class InvalidTaskException extends RedTaskException {

    private final String field;

    public InvalidTaskException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public InvalidTaskException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, cause);
        this.field = field;
    }

    /** The name of the field that is wrong, e.g. {@code "queue"}. */
    public String field() {
        return field;
    }
}

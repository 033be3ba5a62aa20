package io.redtask;

/** A submit named a type no handler is registered for; nothing was stored. */
public class UnknownTaskTypeException extends InvalidRequestException {

    /** The type that was asked for. */
    private final String type;

    /**
     * The exception for a type no handler has.
     *
     * @param type  the type that was asked for
     * @param known the types this application has handlers for
     */
    public UnknownTaskTypeException(String type, java.util.Collection<String> known) {
        super("type", "no handler for task type '" + shown(type) + "'; known types: " + new java.util.TreeSet<>(known));
        this.type = type;
    }

    /** A caller's text in a message: a type of any length is not echoed whole. */
    private static String shown(String type) {
        return type == null || type.length() <= 80 ? type : type.substring(0, 80) + "...";
    }

    /**
     * The type that was asked for.
     *
     * @return the unknown type's name
     */
    public String type() {
        return type;
    }
}

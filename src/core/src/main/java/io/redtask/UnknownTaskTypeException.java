package io.redtask;

/** A submit named a type no handler is registered for; nothing was stored. */
public class UnknownTaskTypeException extends InvalidRequestException {

    private final String type;

    public UnknownTaskTypeException(String type, java.util.Collection<String> known) {
        super("type", "no handler for task type '" + type + "'; known types: " + new java.util.TreeSet<>(known));
        this.type = type;
    }

    /** The type that was asked for. */
    public String type() {
        return type;
    }
}

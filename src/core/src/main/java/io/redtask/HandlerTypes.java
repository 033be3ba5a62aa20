package io.redtask;

/** The task type a handler class declares with {@link TaskType}: the typed submits' one rule. */
final class HandlerTypes {

    private HandlerTypes() {}

    /**
     * The {@link TaskType#value()} of {@code handler}, also when it is given a subclass (a CDI proxy
     * class, say) of the annotated class.
     *
     * @throws InvalidRequestException naming the field {@code type} when no class up the hierarchy
     *                                 has a {@link TaskType}
     */
    static String nameOf(Class<?> handler) {
        if (handler == null) {
            throw new InvalidRequestException("type", "is required: a handler class was expected, got null");
        }
        for (Class<?> c = handler; c != null && c != Object.class; c = c.getSuperclass()) {
            TaskType t = c.getAnnotation(TaskType.class);
            if (t != null) {
                return t.value();
            }
        }
        throw new InvalidRequestException(
                "type",
                handler.getName() + " has no @TaskType: annotate the handler " + "class with the task type it handles");
    }
}

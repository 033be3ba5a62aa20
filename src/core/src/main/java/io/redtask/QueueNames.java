package io.redtask;

/** The rule for queue names, in one place: they become part of Redis keys and task ids. */
public final class QueueNames {

    /** Most characters a queue name has. */
    static final int MAX_LENGTH = 64;

    private QueueNames() {}

    /**
     * Returns {@code name} when it is a valid queue name.
     *
     * @param name a queue name
     * @return {@code name}
     * @throws InvalidRequestException naming the field {@code queue} otherwise
     */
    public static String requireValid(String name) {
        if (!isValid(name)) {
            throw new InvalidRequestException(
                    "queue",
                    "must be 1 to 64 characters from A-Z a-z 0-9 _ -, was "
                            + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    /**
     * Whether {@code name} is a valid queue name.
     *
     * @param name a queue name, or {@code null}
     * @return whether it has 1 to 64 characters from {@code A-Z a-z 0-9 _ -}
     */
    public static boolean isValid(String name) {
        // A loop, not a regular expression: every task key a server builds checks its queue.
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}

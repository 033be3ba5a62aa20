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
        return name != null && validRun(name, 0, name.length()) == name.length();
    }

    /**
     * Where the run of queue-name characters in {@code s} from {@code from} (before {@code to})
     * ends, or -1 when it is empty or longer than a queue name may be.
     */
    static int validRun(String s, int from, int to) {
        int i = from;
        while (i < to && isNameChar(s.charAt(i))) {
            i++;
        }
        return i == from || i - from > MAX_LENGTH ? -1 : i;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}

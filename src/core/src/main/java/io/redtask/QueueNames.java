package io.redtask;

import java.util.regex.Pattern;

/** The rule for queue names, in one place: they become part of Redis keys and task ids. */
public final class QueueNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private QueueNames() {}

    /**
     * Returns {@code name} when it is a valid queue name.
     *
     * @param name a queue name
     * @return {@code name}
     * @throws InvalidRequestException naming the field {@code queue} otherwise
     */
    public static String requireValid(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
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
        return name != null && VALID.matcher(name).matches();
    }
}

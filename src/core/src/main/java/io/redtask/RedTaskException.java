package io.redtask;

/** The base of the exceptions RedTask throws to callers. */
public class RedTaskException extends RuntimeException {

    public RedTaskException(String message) {
        super(message);
    }

    public RedTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}

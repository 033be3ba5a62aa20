package io.redtask;

/**
 * Redis is nearly full (its memory use is past RedTask's high-water mark of {@code maxmemory}):
 * submits are refused, nothing was stored, while workers go on draining. Over REST it is a 503
 * like any other "try again later".
 */
public class StoreFullException extends StoreUnavailableException {

    /** @param message how full Redis is, and which setting draws the line */
    public StoreFullException(String message) {
        super(message, null);
    }
}

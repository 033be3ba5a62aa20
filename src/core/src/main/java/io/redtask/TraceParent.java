package io.redtask;

import java.util.regex.Pattern;

/**
 * W3C trace context ({@code traceparent}, version 00) as RedTask keeps it with a task: the text
 * {@code 00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>}. The engine stores and shows
 * it without any OpenTelemetry class; the worker's span joins that trace when OpenTelemetry is there.
 */
public final class TraceParent {

    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    private TraceParent() {}

    /**
     * Whether {@code text} is a version-00 traceparent with a trace id and a span id that are not
     * all zeros (W3C: such a header is ignored, not an error).
     *
     * @param text the header's value, or {@code null}
     * @return true when it can be used as a parent
     */
    public static boolean isValid(String text) {
        if (text == null || text.length() != 55 || !FORMAT.matcher(text).matches()) {
            return false;
        }
        return !text.substring(3, 35).equals(ZERO_TRACE)
                && !text.substring(36, 52).equals(ZERO_SPAN);
    }

    /**
     * The trace id of a valid traceparent.
     *
     * @param traceparent a traceparent, or {@code null}
     * @return its 32 hex digits, or {@code null} when it is absent or not valid
     */
    public static String traceId(String traceparent) {
        return isValid(traceparent) ? traceparent.substring(3, 35) : null;
    }

    /**
     * The parent span id of a valid traceparent.
     *
     * @param traceparent a traceparent
     * @return its 16 hex digits, or {@code null} when it is absent or not valid
     */
    public static String spanId(String traceparent) {
        return isValid(traceparent) ? traceparent.substring(36, 52) : null;
    }
}

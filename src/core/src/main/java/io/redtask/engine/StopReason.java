package io.redtask.engine;

/** Why an attempt was stopped before its handler returned. */
enum StopReason {
    /** Someone cancelled the task. */
    CANCELLED("cancelled"),
    /** The attempt ran past its timeout. */
    TIMED_OUT("timed out"),
    /** The lease could not be renewed: cancelled elsewhere, or taken over after this server stalled. */
    LEASE_LOST("cancelled, or the lease was lost"),
    /** The server is stopping and the shutdown grace has passed. */
    SERVER_STOPPING("server stopping");

    private final String text;

    StopReason(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}

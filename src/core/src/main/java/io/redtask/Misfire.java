package io.redtask;

/** What a recurring schedule does about slots missed while no server ran it. */
public enum Misfire {
    /** Fire once for all the missed slots, then carry on from now. */
    FIRE_ONCE,
    /** Forget the missed slots and carry on from now. */
    SKIP
}

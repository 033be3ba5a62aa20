package io.redtask.redis;

import io.redtask.engine.Durability;
import io.redtask.engine.EngineSettings;

/**
 * The engine settings the store applies inside its scripts, in milliseconds.
 *
 * @param keepSucceededMillis how long succeeded and cancelled tasks are kept
 * @param keepDeadMillis      how long dead tasks are kept
 * @param maxStalls           lost leases a task survives before it is dead
 * @param statsWindowMillis   how long the 10-second counter buckets behind per-minute rates live
 * @param promoteBatch        most due scheduled tasks one claim moves to the ready set
 */
record StoreSettings(
        long keepSucceededMillis,
        long keepDeadMillis,
        int maxStalls,
        long statsWindowMillis,
        int promoteBatch,
        Durability durability,
        boolean clustered) {

    static StoreSettings of(EngineSettings s, boolean clustered) {
        return new StoreSettings(
                s.keepSucceeded().toMillis(),
                s.keepDead().toMillis(),
                s.maxStalls(),
                s.statsWindow().toMillis(),
                s.promoteBatch(),
                s.durability(),
                clustered);
    }
}

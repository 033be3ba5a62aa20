package io.redtask.store;

import java.util.Map;

/** Recurring schedules and their next slots, shared by all servers. */
public interface ScheduleStore {

    /** Saves a schedule in one atomic step. @return false when it was stored unchanged already */
    boolean save(ScheduleDefinition definition, long nextSlot);

    /** Removes a schedule. @return whether it existed */
    boolean remove(String name);

    /** All schedules with their next slots (-1 when unknown), by name. */
    Map<ScheduleDefinition, Long> all();

    /** Up to {@code max} schedules whose next slot is at or before {@code now}, with that slot, earliest first. */
    Map<ScheduleDefinition, Long> due(long now, int max);

    /**
     * Moves a schedule from {@code slot} to {@code nextSlot}, unless another server did first;
     * with {@code queue} given, records in the same step that the slot's task is to be stored
     * in that queue (a pending firing, until {@link #fired}).
     *
     * @return whether this call moved it
     */
    boolean advance(String name, long slot, long nextSlot, String queue, long now);

    /** The task of a pending firing is stored (or no longer to be). */
    void fired(String name, long slot);

    /** Firings recorded by {@link #advance} and not finished. */
    java.util.List<PendingFiring> pending();

    /**
     * A slot that was moved on but whose task may not be stored yet.
     *
     * @param name  the schedule
     * @param slot  the slot (ms)
     * @param queue the queue its task goes to
     * @param since when the slot was moved on (ms)
     */
    record PendingFiring(String name, long slot, String queue, long since) {}
}

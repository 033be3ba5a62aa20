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
     * Moves a schedule from {@code slot} to {@code nextSlot}, unless another server did first.
     *
     * @return whether this call moved it
     */
    boolean advance(String name, long slot, long nextSlot);
}

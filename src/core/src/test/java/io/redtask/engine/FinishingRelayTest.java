package io.redtask.engine;

import io.redtask.store.ClaimedTask;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's hand-over rule, step by step: an attempt is left only for a worker that will see it,
 * whichever of submitter and worker comes second; and each is taken once.
 */
class FinishingRelayTest {

    private static final Runnable NOWHERE = () -> {
        throw new AssertionError("started elsewhere");
    };

    @Test
    void withNoWorkerFinishingNothingIsLeft() {
        FinishingRelay relay = new FinishingRelay();
        assertFalse(relay.offer(run("b"), NOWHERE), "the caller starts it");
        assertEquals(0, relay.waiting());
    }

    @Test
    void aWorkerStillFinishingTakesWhatWasLeftWhenItIsDone() {
        FinishingRelay relay = new FinishingRelay();
        long began = relay.begin();
        RunContext b = leave(relay, "b");
        List<FinishingRelay.Waiting> taken = relay.end(began);
        assertEquals(1, taken.size());
        assertSame(b, taken.get(0).run());
        assertEquals(0, relay.waiting());
        assertEquals(0, relay.finishing());
    }

    /** The race the second look is for: it would leave the attempt to a worker that has gone. */
    @Test
    void whenTheLastFinishingWorkerLeavesBetweenLookAndAddTheCallerStartsIt() {
        FinishingRelay[] relay = new FinishingRelay[1];
        List<List<FinishingRelay.Waiting>> workerTook = new java.util.ArrayList<>();
        relay[0] = new FinishingRelay(() -> workerTook.add(relay[0].end(System.nanoTime())));
        relay[0].begin();
        assertFalse(relay[0].offer(run("b"), NOWHERE), "no worker will see it: the caller starts it");
        assertEquals(List.of(List.of()), workerTook, "the worker left before b was there");
        assertEquals(0, relay[0].waiting(), "b is not left behind");
    }

    @Test
    void anOverdueAttemptIsTakenOnceAndOnlyWhenOverdue() {
        FinishingRelay relay = new FinishingRelay();
        long began = relay.begin();
        RunContext b = leave(relay, "b");
        assertEquals(List.of(), relay.overdue(System.nanoTime(), 60_000_000_000L), "not overdue yet");
        List<FinishingRelay.Waiting> late = relay.overdue(System.nanoTime(), 0);
        assertEquals(1, late.size());
        assertSame(b, late.get(0).run());
        assertEquals(List.of(), relay.end(began), "the worker finds it gone");
    }

    /** A slow finishing (slow listeners, a slow Redis) would hold what is left for the next one. */
    @Test
    void afterASlowFinishingNothingIsLeftUntilAQuickOne() {
        FinishingRelay relay = new FinishingRelay();
        relay.end(relay.begin() - FinishingRelay.MAX_WINDOW_NANOS); // took a millisecond
        long began = relay.begin();
        assertFalse(relay.offer(run("b"), NOWHERE), "a thread is woken instead");
        assertEquals(0, relay.waiting());
        relay.end(began); // quick
        began = relay.begin();
        assertTrue(relay.offer(run("c"), NOWHERE));
        assertEquals(1, relay.end(began).size());
    }

    @Test
    void closingTakesOutWhatWaitsAndLeavesNothingAfter() {
        FinishingRelay relay = new FinishingRelay();
        long began = relay.begin();
        RunContext b = leave(relay, "b");
        List<FinishingRelay.Waiting> out = relay.close();
        assertEquals(1, out.size());
        assertSame(b, out.get(0).run());
        assertFalse(relay.offer(run("c"), NOWHERE), "closed: the caller starts it");
        assertEquals(List.of(), relay.end(began));
    }

    /** An attempt left with a relay that takes it (a worker is finishing). */
    private static RunContext leave(FinishingRelay relay, String id) {
        RunContext r = run(id);
        assertTrue(relay.offer(r, NOWHERE));
        return r;
    }

    private static RunContext run(String id) {
        return new RunContext(
                new ClaimedTask(id, "default", "t", "null", 1, 1, 3, 0, null, -1, -1, 0, null), 0, Long.MAX_VALUE);
    }
}

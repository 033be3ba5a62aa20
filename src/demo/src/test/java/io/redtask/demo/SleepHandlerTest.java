package io.redtask.demo;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sleep}'s payload as the engine reads it at submit time (JSON-B, as in Liberty): what is
 * refused must be refused with a message that says why, since that message is the 400's.
 */
class SleepHandlerTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    @AfterAll
    static void close() throws Exception {
        JSONB.close();
    }

    private static SleepHandler.Payload read(String json) {
        return JSONB.fromJson(json, SleepHandler.Payload.class);
    }

    @Test
    void acceptsZeroToSixtySeconds() {
        assertEquals(0, read("{\"ms\":0}").ms());
        assertEquals(60_000, read("{\"ms\":60000}").ms());
        assertEquals(0, read("{}").ms(), "no ms: no sleep");
        assertEquals(5, read("{\"ms\":5,\"note\":\"other fields are ignored\"}").ms());
    }

    @ParameterizedTest
    @ValueSource(strings = {"60001", "999999", "-1", "99999999999999999999"})
    void refusesOutOfRangeNamingTheField(String ms) {
        JsonbException e = assertThrows(JsonbException.class, () -> read("{\"ms\":" + ms + "}"));
        assertEquals("ms must be between 0 and 60000 (milliseconds), was " + ms, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"", "1.5", "true"})
    void refusesWhatIsNotAWholeNumber(String ms) {
        JsonbException e = assertThrows(JsonbException.class, () -> read("{\"ms\":" + ms + "}"));
        assertTrue(e.getMessage().startsWith("ms must be a whole number of milliseconds"), e::getMessage);
    }

    @Test
    void refusesAPayloadThatIsNotAnObject() {
        JsonbException e = assertThrows(JsonbException.class, () -> read("\"abc\""));
        assertTrue(e.getMessage().contains("{\"ms\":500}"), e::getMessage);
    }

    @Test
    void theRecordItselfKeepsTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SleepHandler.Payload(-5));
        assertTrue(e.getMessage().contains("ms must be between 0 and 60000"), e::getMessage);
    }

    @Test
    void sleepsAndSaysHowLong() throws Exception {
        SleepHandler handler = new SleepHandler();
        assertEquals(Map.of("slept", 20L), handler.handle(new SleepHandler.Payload(20), new Attempt(1)));
        assertEquals(Map.of("slept", 0L), handler.handle(null, new Attempt(1)));
    }
}

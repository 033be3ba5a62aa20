package io.redtask.cron;

import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronExpressionTest {

    private static final ZoneId UTC = ZoneId.of("UTC");

    private static ZonedDateTime at(String text) {
        return ZonedDateTime.parse(text);
    }

    private static String next(String cron, String after) {
        return CronExpression.parse(cron).nextAfter(at(after)).toString();
    }

    @Test
    void standardFields() {
        assertEquals("2030-01-01T10:16Z[UTC]", next("*/2 * * * *", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2030-01-01T10:30Z[UTC]", next("0,30 * * * *", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2030-01-02T09:00Z[UTC]", next("0 9 * * *", "2030-01-01T09:00:00Z[UTC]"));
        assertEquals("2030-01-07T09:00Z[UTC]", next("0 9 * * MON-FRI", "2030-01-04T09:00:00Z[UTC]"), "Fri -> Mon");
        assertEquals("2030-03-01T00:00Z[UTC]", next("0 0 1 MAR *", "2030-01-15T00:00:00Z[UTC]"));
        assertEquals("2030-01-01T10:40Z[UTC]", next("10-50/15 * * * *", "2030-01-01T10:25:00Z[UTC]"));
        assertEquals("2030-01-06T00:00Z[UTC]", next("0 0 * * 7", "2030-01-01T00:00:00Z[UTC]"), "7 is Sunday");
    }

    @Test
    void macros() {
        assertEquals("2030-01-01T11:00Z[UTC]", next("@hourly", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2030-01-02T00:00Z[UTC]", next("@daily", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2030-01-06T00:00Z[UTC]", next("@weekly", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2030-02-01T00:00Z[UTC]", next("@monthly", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2031-01-01T00:00Z[UTC]", next("@yearly", "2030-01-01T10:15:00Z[UTC]"));
    }

    @Test
    void secondsFieldGivesSecondResolution() {
        assertEquals("2030-01-01T10:15:01Z[UTC]", next("* * * * * *", "2030-01-01T10:15:00Z[UTC]"));
        assertEquals("2030-01-01T10:15:30Z[UTC]", next("30 * * * * *", "2030-01-01T10:15:00.500Z[UTC]"));
        assertTrue(CronExpression.parse("* * * * * *").hasSeconds());
    }

    @Test
    void dayOfMonthOrDayOfWeekWhenBothAreRestricted() {
        // The 13th, or any Friday: 2030-09-06 is a Friday before the 13th.
        assertEquals("2030-09-06T00:00Z[UTC]", next("0 0 13 * FRI", "2030-09-01T00:00:00Z[UTC]"));
    }

    @Test
    void wallClockTimesFollowTheZoneAcrossDaylightSaving() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        ZonedDateTime beforeChange = ZonedDateTime.of(2030, 3, 30, 12, 0, 0, 0, paris);
        ZonedDateTime next = CronExpression.parse("0 9 * * *").nextAfter(beforeChange);
        assertEquals(ZonedDateTime.of(2030, 3, 31, 9, 0, 0, 0, paris), next);
        assertEquals("2030-03-31T07:00:00Z", next.toInstant().toString(), "summer time: UTC+2");
    }

    @Test
    void badExpressionsNameTheProblem() {
        assertEquals(
                "minute field '61': 61 is outside 0-59 or reversed",
                assertThrows(IllegalArgumentException.class, () -> CronExpression.parse("61 * * * *"))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronExpression.parse("* * *"))
                .getMessage()
                .contains("has 3 fields"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronExpression.parse("* * * FOO *"))
                .getMessage()
                .contains("month field 'FOO'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronExpression.parse("*/0 * * * *"))
                .getMessage()
                .contains("step must be at least 1"));
        assertThrows(
                IllegalStateException.class,
                () -> CronExpression.parse("0 0 30 2 *").nextAfter(at("2030-01-01T00:00:00Z[UTC]")),
                "30 February");
    }
}

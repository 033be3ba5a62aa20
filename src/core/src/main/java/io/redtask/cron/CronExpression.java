package io.redtask.cron;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression: the standard five fields (minute, hour, day of month, month, day of week),
 * or six with a leading seconds field, or a macro ({@code @yearly @annually @monthly @weekly
 * @daily @midnight @hourly}). Fields take {@code *}, numbers, ranges {@code 1-5}, lists
 * {@code 1,15}, steps {@code *}{@code /10} or {@code 10-40/5}, and names ({@code JAN}..{@code DEC},
 * {@code SUN}..{@code SAT}); {@code ?} means {@code *}; day of week 0 and 7 are both Sunday.
 * As in Vixie cron, when both day fields are restricted a day matches if either matches.
 *
 * <p>Times are local to the zone of the time passed to {@link #nextAfter}: a wall-clock time
 * that a daylight-saving change skips does not fire that day, and one it repeats fires twice.
 */
public final class CronExpression {

    private static final Map<String, String> MACROS = Map.of(
            "@yearly",
            "0 0 1 1 *",
            "@annually",
            "0 0 1 1 *",
            "@monthly",
            "0 0 1 * *",
            "@weekly",
            "0 0 * * 0",
            "@daily",
            "0 0 * * *",
            "@midnight",
            "0 0 * * *",
            "@hourly",
            "0 * * * *");
    private static final String[] MONTHS = {
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
    };
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    private final String text;
    private final boolean withSeconds;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronExpression(String text) {
        this.text = text;
        String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        String[] f = expanded.trim().split("\\s+");
        if (f.length != 5 && f.length != 6) {
            throw new IllegalArgumentException(
                    "cron expression '" + text + "' has " + f.length
                            + " fields; expected 5 (minute hour day-of-month month day-of-week), 6 (with seconds first) or a macro such as @hourly");
        }
        withSeconds = f.length == 6;
        int i = 0;
        seconds = withSeconds ? field(f[i++], "second", 0, 59, null) : bits(0);
        minutes = field(f[i++], "minute", 0, 59, null);
        hours = field(f[i++], "hour", 0, 23, null);
        String dom = f[i++];
        daysOfMonth = field(dom, "day of month", 1, 31, null);
        months = field(f[i++], "month", 1, 12, MONTHS);
        String dow = f[i];
        BitSet d = field(dow, "day of week", 0, 7, DAYS);
        if (d.get(7)) {
            d.set(0);
            d.clear(7);
        }
        daysOfWeek = d;
        domRestricted = !isStar(dom);
        dowRestricted = !isStar(dow);
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the field and value that are wrong
     */
    public static CronExpression parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("cron expression is empty");
        }
        return new CronExpression(text.trim());
    }

    /** Whether the expression has a seconds field (fires at second resolution). */
    public boolean hasSeconds() {
        return withSeconds;
    }

    /**
     * The first time strictly after {@code after} that matches, in {@code after}'s zone.
     *
     * @throws IllegalStateException when nothing matches within five years (e.g. 30 February)
     */
    public ZonedDateTime nextAfter(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        if (!withSeconds && t.getSecond() != 0) {
            t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        }
        ZonedDateTime limit = after.plusYears(5);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (!seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return t;
            }
        }
        throw new IllegalStateException("cron expression '" + text + "' matches no time within 5 years of " + after);
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(
                t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static boolean isStar(String f) {
        return f.equals("*") || f.equals("?");
    }

    private static BitSet bits(int v) {
        BitSet b = new BitSet();
        b.set(v);
        return b;
    }

    private static BitSet field(String spec, String name, int min, int max, String[] names) {
        BitSet set = new BitSet(max + 1);
        for (String part : spec.split(",", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException(name + " field '" + spec + "' has an empty list element");
            }
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, spec, null, 0);
                if (step < 1) {
                    throw new IllegalArgumentException(name + " field '" + spec + "': step must be at least 1");
                }
            }
            int lo;
            int hi;
            if (range.equals("*") || range.equals("?")) {
                lo = min;
                hi = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", 2);
                lo = number(ends[0], name, spec, names, min);
                hi = number(ends[1], name, spec, names, min);
            } else {
                lo = number(range, name, spec, names, min);
                hi = slash >= 0 ? max : lo;
            }
            if (lo < min || hi > max || lo > hi) {
                throw new IllegalArgumentException(
                        name + " field '" + spec + "': " + range + " is outside " + min + "-" + max + " or reversed");
            }
            for (int v = lo; v <= hi; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int number(String s, String name, String spec, String[] names, int base) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(s)) {
                    return i + base;
                }
            }
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " field '" + spec + "': '" + s + "' is not a number"
                    + (names != null ? " or a name such as " + names[0] : ""));
        }
    }
}

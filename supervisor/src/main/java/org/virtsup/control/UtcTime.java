package org.virtsup.control;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The instants of the control protocol ({@link Instant#toString()}'s form,
 * {@code 2026-11-26T10:14:02Z}) read, and shown as status shows them
 * ({@code 2026-11-26 10:14:02 UTC}), without java.time's formatters in the
 * common case: their classes and tables cost a {@code virtsup status} some
 * 10 ms of start-up. The common case is a year from 1 to 9999 and the
 * {@code toString} form exactly; anything else goes to java.time itself, so
 * that every result and every error is java.time's.
 */
final class UtcTime {
    private static final int SECONDS_PER_DAY = 86_400;

    private UtcTime() {}

    /** What {@link Instant#parse} gives, and throws. */
    static Instant parse(CharSequence text) {
        Instant fast = parseCommon(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** {@code yyyy-MM-dd HH:mm:ss UTC}, as {@link DateTimeFormatter#ofPattern} with that pattern in UTC. */
    static String format(Instant at) {
        long day = Math.floorDiv(at.getEpochSecond(), SECONDS_PER_DAY);
        int second = Math.floorMod(at.getEpochSecond(), SECONDS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        if (date.getYear() < 1 || date.getYear() > 9999) {
            return Patterns.SHOWN.format(at);
        }
        StringBuilder out = new StringBuilder(23);
        pad(out, date.getYear(), 4).append('-');
        pad(out, date.getMonthValue(), 2).append('-');
        pad(out, date.getDayOfMonth(), 2).append(' ');
        pad(out, second / 3600, 2).append(':');
        pad(out, second / 60 % 60, 2).append(':');
        pad(out, second % 60, 2).append(" UTC");
        return out.toString();
    }

    /** java.time's own, for what the common case leaves. */
    private static final class Patterns {
        static final DateTimeFormatter SHOWN =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with valid fields, else null. */
    private static Instant parseCommon(CharSequence text) {
        int length = text.length();
        if (length < 20 || length > 30 || !at(text, 4, '-') || !at(text, 7, '-') || !at(text, 10, 'T')
                || !at(text, 13, ':') || !at(text, 16, ':') || !at(text, length - 1, 'Z')) {
            return null;
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 7);
        int day = number(text, 8, 10);
        int hour = number(text, 11, 13);
        int minute = number(text, 14, 16);
        int second = number(text, 17, 19);
        int nanos = 0;
        if (length > 20) {
            if (!at(text, 19, '.') || length == 21) {
                return null;
            }
            nanos = number(text, 20, length - 1);
            for (int i = length - 1 - 20; i < 9 && nanos >= 0; i++) {
                nanos *= 10;
            }
        }
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || nanos < 0) {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
    }

    private static boolean at(CharSequence text, int index, char expected) {
        return text.charAt(index) == expected;
    }

    /** The ASCII digits from start to end as a number, or -1. */
    private static int number(CharSequence text, int start, int end) {
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}

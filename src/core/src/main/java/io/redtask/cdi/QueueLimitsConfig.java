package io.redtask.cdi;

import io.redtask.InvalidRequestException;
import io.redtask.RateLimit;
import org.eclipse.microprofile.config.Config;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rate limits and group concurrencies of this server's queues from MicroProfile Config,
 * saved to Redis at start (they then hold for every server, and operators may change them):
 * {@code redtask.queue.<q>.rate=100/PT1S} and {@code redtask.queue.<q>.group-concurrency=2}.
 *
 * @param rates            {@code redtask.queue.<q>.rate}, by queue
 * @param groupConcurrency {@code redtask.queue.<q>.group-concurrency}, by queue
 */
public record QueueLimitsConfig(Map<String, RateLimit> rates, Map<String, Integer> groupConcurrency) {

    /**
     * Reads the settings of {@code queues}.
     *
     * @throws IllegalArgumentException naming the key whose value is wrong
     */
    public static QueueLimitsConfig from(Config c, Collection<String> queues) {
        Map<String, RateLimit> rates = new TreeMap<>();
        Map<String, Integer> groups = new TreeMap<>();
        for (String q : queues) {
            String rateKey = "redtask.queue." + q + ".rate";
            c.getOptionalValue(rateKey, String.class).filter(v -> !v.isBlank()).ifPresent(v -> {
                try {
                    rates.put(q, RateLimit.parse(v.strip()));
                } catch (InvalidRequestException e) {
                    throw new IllegalArgumentException(
                            rateKey + " must be <limit>/<ISO-8601 duration> such as 100/PT1S: " + e.getMessage()
                                    + ", was '" + v + "'",
                            e);
                }
            });
            String groupKey = "redtask.queue." + q + ".group-concurrency";
            c.getOptionalValue(groupKey, String.class).filter(v -> !v.isBlank()).ifPresent(v -> {
                int n;
                try {
                    n = Integer.parseInt(v.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(groupKey + " must be a whole number, was '" + v + "'", e);
                }
                if (n < 1) {
                    throw new IllegalArgumentException(groupKey + " must be 1 or more, was " + n);
                }
                groups.put(q, n);
            });
        }
        return new QueueLimitsConfig(Map.copyOf(rates), Map.copyOf(groups));
    }
}

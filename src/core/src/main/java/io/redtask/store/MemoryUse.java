package io.redtask.store;

/**
 * How much memory the store uses, and its limit.
 *
 * @param usedBytes what it uses now
 * @param maxBytes  its limit ({@code maxmemory}), 0 when it has none
 */
public record MemoryUse(long usedBytes, long maxBytes) {

    /** The share of the limit in use, 0 when there is no limit. */
    public double fraction() {
        return maxBytes <= 0 ? 0 : (double) usedBytes / maxBytes;
    }
}

package io.redtask.cdi;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;

import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * A MicroProfile {@link Config} over a map, with the built-in conversions of the MicroProfile
 * Config specification that {@link RedTaskConfig} asks for (String, Integer, Long, Double,
 * Boolean). No MicroProfile Config implementation is on the core module's class path; Liberty
 * brings its own, which {@code ConfigurationIT} exercises in a real server.
 */
final class MapConfig implements Config {

    private final Map<String, String> values;

    MapConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    @Override
    public <T> T getValue(String name, Class<T> type) {
        return getOptionalValue(name, type).orElseThrow(() -> new NoSuchElementException(name));
    }

    @Override
    public ConfigValue getConfigValue(String name) {
        throw new UnsupportedOperationException("RedTaskConfig reads values through getOptionalValue");
    }

    @Override
    public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
        String text = values.get(name);
        if (text == null || text.isEmpty()) {
            return Optional.empty(); // the specification: an empty value is no value
        }
        return Optional.of(type.cast(convert(name, text, type)));
    }

    private static Object convert(String name, String text, Class<?> type) {
        try {
            if (type == String.class) {
                return text;
            }
            if (type == Integer.class) {
                return Integer.valueOf(text.strip());
            }
            if (type == Long.class) {
                return Long.valueOf(text.strip());
            }
            if (type == Double.class) {
                return Double.valueOf(text.strip());
            }
            if (type == Boolean.class) {
                return Set.of("true", "1", "yes", "y", "on")
                        .contains(text.strip().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "config property " + name + " = '" + text + "' is not a " + type.getSimpleName(), e);
        }
        throw new UnsupportedOperationException("no converter for " + type);
    }

    @Override
    public Iterable<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public Iterable<ConfigSource> getConfigSources() {
        return Set.of();
    }

    @Override
    public <T> Optional<Converter<T>> getConverter(Class<T> forType) {
        return Optional.empty();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        throw new IllegalArgumentException("cannot unwrap to " + type);
    }
}

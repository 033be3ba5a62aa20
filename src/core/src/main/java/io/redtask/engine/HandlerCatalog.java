package io.redtask.engine;

import io.redtask.InvalidRequestException;
import io.redtask.UnknownTaskTypeException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The task types this application can run, by name. */
final class HandlerCatalog {

    private final Map<String, HandlerRegistration> handlers;
    private final List<String> types;

    HandlerCatalog(Map<String, HandlerRegistration> handlers) {
        this.handlers = Map.copyOf(handlers);
        this.types = List.copyOf(new TreeSet<>(handlers.keySet()));
    }

    /** The names, sorted: the task types this server claims. */
    List<String> types() {
        return types;
    }

    /** The handler of {@code type}, or {@code null} when this server has none. */
    HandlerRegistration find(String type) {
        return type == null ? null : handlers.get(type);
    }

    /** The handler of {@code type}. @throws InvalidRequestException naming the type when there is none */
    HandlerRegistration require(String type) {
        HandlerRegistration handler = find(type);
        if (handler == null) {
            if (type == null || type.isBlank()) {
                throw new InvalidRequestException("type", "is required");
            }
            throw new UnknownTaskTypeException(type, handlers.keySet());
        }
        return handler;
    }

    /** The names, sorted. */
    Set<String> names() {
        return new TreeSet<>(handlers.keySet());
    }
}

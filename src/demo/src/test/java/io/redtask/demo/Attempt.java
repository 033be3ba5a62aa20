package io.redtask.demo;

import io.redtask.TaskContext;

import java.time.Instant;
import java.util.Optional;

/** A {@link TaskContext} for calling a handler outside the engine: only the attempt number matters. */
record Attempt(int attempt) implements TaskContext {

    @Override
    public String taskId() {
        return "default:TEST";
    }

    @Override
    public String type() {
        return "test";
    }

    @Override
    public String queue() {
        return "default";
    }

    @Override
    public long fencingToken() {
        return attempt;
    }

    @Override
    public Optional<String> idempotencyKey() {
        return Optional.empty();
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.empty();
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}

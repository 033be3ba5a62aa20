package io.redtask.engine;

import io.redtask.TaskNotFoundException;
import io.redtask.TaskStatus;
import io.redtask.store.TaskStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Completes the futures of {@code whenFinished} calls. One loop polls all awaited tasks in one
 * pipelined round trip, so a thousand waiters cost what one does, and it works whichever server
 * runs the task.
 */
final class CompletionWatcher {

    private final TaskStore store;
    private final Map<String, List<CompletableFuture<TaskStatus>>> waiting = new ConcurrentHashMap<>();

    CompletionWatcher(TaskStore store) {
        this.store = store;
    }

    CompletableFuture<TaskStatus> watch(String id) {
        CompletableFuture<TaskStatus> f = new CompletableFuture<>();
        // Added inside compute, so it cannot land in a list that poll() has just taken out of the map.
        waiting.compute(id, (k, list) -> {
            List<CompletableFuture<TaskStatus>> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(f);
            return l;
        });
        // Forget callers that gave up (orTimeout, cancel) so the map cannot grow without bound.
        f.whenComplete((s, e) -> waiting.computeIfPresent(id, (k, list) -> {
            list.remove(f);
            return list.isEmpty() ? null : list;
        }));
        return f;
    }

    void poll() {
        if (waiting.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(waiting.keySet());
        Map<String, TaskStatus> found = store.findAll(ids);
        for (String id : ids) {
            TaskStatus s = found.get(id);
            if (s == null) {
                complete(id, null);
            } else if (s.state().isFinal()) {
                complete(id, s);
            }
        }
    }

    private void complete(String id, TaskStatus status) {
        List<CompletableFuture<TaskStatus>> list = waiting.remove(id);
        if (list == null) {
            return;
        }
        for (CompletableFuture<TaskStatus> f : list) {
            if (status == null) {
                f.completeExceptionally(new TaskNotFoundException(id));
            } else {
                f.complete(status);
            }
        }
    }
}

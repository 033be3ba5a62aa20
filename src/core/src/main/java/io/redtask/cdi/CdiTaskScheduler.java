package io.redtask.cdi;

import io.redtask.Schedule;
import io.redtask.ScheduleInfo;
import io.redtask.SubmitOptions;
import io.redtask.SubmitReceipt;
import io.redtask.Submission;
import io.redtask.TaskScheduler;
import io.redtask.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The {@link TaskScheduler} that {@code @Inject TaskScheduler} gets: this application's engine. */
@ApplicationScoped
public class CdiTaskScheduler implements TaskScheduler {

    @Inject
    RedTaskRuntime runtime;

    @Override
    public SubmitReceipt submitForReceipt(String type, Object payload, SubmitOptions options) {
        return runtime.engine().submitForReceipt(type, payload, options);
    }

    @Override
    public List<String> submitAll(List<Submission> tasks) {
        return runtime.engine().submitAll(tasks);
    }

    @Override
    public Optional<TaskStatus> status(String id) {
        return runtime.engine().status(id);
    }

    @Override
    public boolean cancel(String id) {
        return runtime.engine().cancel(id);
    }

    @Override
    public CompletionStage<TaskStatus> whenFinished(String id) {
        return runtime.engine().whenFinished(id);
    }

    @Override
    public void schedule(Schedule schedule) {
        runtime.engine().schedule(schedule);
    }

    @Override
    public boolean unschedule(String name) {
        return runtime.engine().unschedule(name);
    }

    @Override
    public List<ScheduleInfo> schedules() {
        return runtime.engine().schedules();
    }
}

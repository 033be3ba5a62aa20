package io.redtask.it;

import io.redtask.SubmitOptions;
import io.redtask.TaskScheduler;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Submits while the application starts, as applications do from a {@code @Startup} bean, and
 * keeps the warnings RedTask logged during that submit (they are logged on the submitting thread).
 */
@Singleton
@Startup
public class StartupSubmitter {

    @Inject
    TaskScheduler scheduler;

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private String taskId;

    @PostConstruct
    void submitAtStart() {
        Logger engineLog = Logger.getLogger("io.redtask.engine.RedTaskEngine");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        engineLog.addHandler(capture);
        try {
            // immediate: stored now, inside this callback's transaction, so the check runs here.
            taskId = scheduler.submit(ApplicationSideIT.StartupProbe.class, "at start", SubmitOptions.immediate());
        } finally {
            engineLog.removeHandler(capture);
        }
    }

    public String taskId() {
        return taskId;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }
}

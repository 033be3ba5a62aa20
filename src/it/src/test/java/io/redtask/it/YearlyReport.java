package io.redtask.it;

import io.redtask.Recurring;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

/** A schedule declared in code (ServersIT): once a year, so it never fires while the tests run. */
@ApplicationScoped
@TaskType(YearlyReport.TYPE)
@Recurring(name = YearlyReport.SCHEDULE, cron = "0 0 1 1 *", zone = "UTC", payload = "{\"format\":\"pdf\"}")
public class YearlyReport implements TaskHandler<Object, Void> {

    static final String TYPE = "it-yearly";
    static final String SCHEDULE = "it-other-yearly";

    @Override
    public Void handle(Object payload, TaskContext context) {
        return null;
    }
}

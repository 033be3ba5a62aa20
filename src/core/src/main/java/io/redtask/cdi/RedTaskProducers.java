package io.redtask.cdi;

import io.redtask.RedTaskAdmin;
import io.redtask.RedTaskHealth;
import io.redtask.TaskScheduler;
import io.redtask.engine.SubmitLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * What applications inject: {@code @Inject TaskScheduler}, {@code RedTaskAdmin},
 * {@code RedTaskHealth}, {@code RedTaskConfig} and {@code SubmitLimits.Limits}, all from this application's one engine. The
 * engine is built on first use, so the proxies are cheap until then.
 */
@ApplicationScoped
public class RedTaskProducers {

    @Inject
    RedTaskRuntime runtime;

    @Produces
    @ApplicationScoped
    TaskScheduler scheduler() {
        return runtime.scheduler();
    }

    @Produces
    @ApplicationScoped
    RedTaskAdmin admin() {
        return runtime.engine().admin();
    }

    @Produces
    @ApplicationScoped
    RedTaskHealth health() {
        return runtime.engine().health();
    }

    @Produces
    @Dependent
    RedTaskConfig config() {
        return runtime.config();
    }

    /**
     * The bounds this application's engine puts on submits (the web layer refuses a payload
     * nested too deeply before it parses it): fixed once the engine is configured.
     */
    @Produces
    @Dependent
    SubmitLimits.Limits limits() {
        return runtime.config().limits();
    }

    /** Read anew on every injection: inject {@code Provider<RedTaskConfig.Web>} to see changes at run time. */
    @Produces
    @Dependent
    RedTaskConfig.Web web() {
        return runtime.web();
    }
}

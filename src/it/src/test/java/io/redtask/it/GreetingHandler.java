package io.redtask.it;

import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@code it-greeting}: a handler that uses a bean CDI injects into it, as the README's SendInvoice uses its Mailer. */
@ApplicationScoped
@TaskType(GreetingHandler.TYPE)
public class GreetingHandler implements TaskHandler<String, String> {

    static final String TYPE = "it-greeting";

    @Inject
    Greeter greeter;

    @Override
    public String handle(String name, TaskContext context) {
        return greeter.greet(name);
    }
}

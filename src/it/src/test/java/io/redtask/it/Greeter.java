package io.redtask.it;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicInteger;

/** An application bean a handler injects (SchedulerInjectionIT): counts its greetings. */
@ApplicationScoped
public class Greeter {

    private final AtomicInteger greetings = new AtomicInteger();

    public String greet(String name) {
        return "hello " + name + " (greeting " + greetings.incrementAndGet() + ")";
    }

    public int greetings() {
        return greetings.get();
    }
}

package com.example.invoices;

import io.redtask.SubmitOptions;
import io.redtask.TaskResult;
import io.redtask.TaskScheduler;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

import java.util.Optional;

/** The application's side: hands invoices to the background and reads what became of them. */
@Stateless
public class Invoices {

    @Inject
    TaskScheduler scheduler;

    /**
     * Sends the invoice in the background.
     *
     * @return the task's id; sending the same invoice again within a day returns the same id
     */
    public String send(Invoice invoice) {
        return scheduler.submit(SendInvoice.class, invoice,
                SubmitOptions.builder().idempotencyKey("invoice-" + invoice.id()).build());
    }

    /** The task of {@link #send}, with its receipt once it succeeded; empty for an unknown id. */
    public Optional<TaskResult<Receipt>> receipt(String taskId) {
        return scheduler.result(taskId, Receipt.class);
    }
}

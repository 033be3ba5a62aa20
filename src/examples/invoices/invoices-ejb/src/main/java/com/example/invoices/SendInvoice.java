package com.example.invoices;

import io.redtask.NonRetryableException;
import io.redtask.TaskContext;
import io.redtask.TaskHandler;
import io.redtask.TaskType;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Sends an invoice, in the background, on whichever server has a free worker. A CDI bean: RedTask
 * finds it when the application is deployed. It may run more than once for one task (a server
 * can die half way), so a real one would send with the task id as the mail's idempotency key.
 */
@ApplicationScoped
@TaskType(value = "send-invoice", maxAttempts = 5, timeout = "PT30S", backoff = "PT1S", backoffCap = "PT1M")
public class SendInvoice implements TaskHandler<Invoice, Receipt> {

    @Override
    public Receipt handle(Invoice invoice, TaskContext context) {
        if (invoice.amount().signum() <= 0 || invoice.amount().compareTo(new BigDecimal("1000000")) > 0) {
            // Trying again cannot help: the task is dead at once.
            throw new NonRetryableException("invoice " + invoice.id() + " has an amount out of range: " + invoice.amount());
        }
        // Here the invoice would be rendered and mailed.
        return new Receipt(invoice.id(), invoice.customer(), Instant.now(), context.attempt());
    }
}

package com.example.invoices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redtask.TaskFailedException;
import io.redtask.TaskResult;
import io.redtask.TaskScheduler;
import io.redtask.TaskState;
import io.redtask.testing.LocalRedTask;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The handler and the bean's submit, on a real redis-server and RedTask engine, without Liberty. */
class SendInvoiceTest {

    @RegisterExtension
    static LocalRedTask redtask = LocalRedTask.withHandlers(new SendInvoice());

    @Test
    void anInvoiceSentThroughTheBeanGetsAReceipt(TaskScheduler scheduler) {
        Invoices invoices = new Invoices();
        invoices.scheduler = scheduler;

        String id = invoices.send(new Invoice("INV-1", "ada@example.com", new BigDecimal("120.00")));

        Receipt receipt = redtask.await(id, Receipt.class).orElseThrow();
        assertEquals("INV-1", receipt.invoiceId());
        assertEquals("ada@example.com", receipt.sentTo());
        assertEquals(1, receipt.attempt());
        assertEquals(receipt, invoices.receipt(id).map(TaskResult::value).orElseThrow());
    }

    @Test
    void sendingTheSameInvoiceTwiceMakesOneTask(TaskScheduler scheduler) {
        Invoices invoices = new Invoices();
        invoices.scheduler = scheduler;
        Invoice invoice = new Invoice("INV-2", "bob@example.com", BigDecimal.TEN);

        assertEquals(invoices.send(invoice), invoices.send(invoice));
    }

    @Test
    void anAmountOutOfRangeIsDeadAtOnce(TaskScheduler scheduler) {
        String id = scheduler.submit(SendInvoice.class, new Invoice("INV-3", "eve@example.com", BigDecimal.ZERO));

        TaskResult<Receipt> done = redtask.await(id, Receipt.class);

        assertEquals(TaskState.DEAD, done.state());
        assertEquals(1, done.status().attempts(), "not retried");
        TaskFailedException e = assertThrows(TaskFailedException.class, done::orElseThrow);
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }
}

package com.example.invoices;

import java.time.Instant;

/**
 * What sending an invoice gave: the result of a {@link SendInvoice} task, kept as JSON.
 *
 * @param invoiceId the invoice that was sent
 * @param sentTo    where it went
 * @param sentAt    when
 * @param attempt   which attempt sent it (1 unless an earlier one failed)
 */
public record Receipt(String invoiceId, String sentTo, Instant sentAt, int attempt) {
}

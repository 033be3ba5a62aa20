package com.example.invoices;

import java.math.BigDecimal;

/**
 * What is to be sent: the payload of a {@link SendInvoice} task, stored as JSON. Public, as
 * JSON-B needs it to be.
 *
 * @param id       the invoice number
 * @param customer whom it goes to (an e-mail address)
 * @param amount   how much is due
 */
public record Invoice(String id, String customer, BigDecimal amount) {
}

package com.example.invoices.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.invoices.Invoice;
import com.example.invoices.Receipt;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

import org.junit.jupiter.api.Test;

/**
 * The application on a real Liberty with a real Redis (both started by the build on free ports):
 * an invoice posted to the endpoint is sent in the background, and its receipt is read back.
 */
class InvoicesIT {

    /** What the endpoint answers. */
    public record Sending(String taskId, String state, Receipt receipt, String error) {
    }

    private static final Set<String> FINAL = Set.of("succeeded", "dead", "cancelled");

    private final String base = System.getProperty("invoices.url");
    // HTTP/1.1: Liberty 26.0.0.3 does not always answer a clear-text HTTP/2 upgrade.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Jsonb json = JsonbBuilder.create();

    @Test
    void aPostedInvoiceIsSentInTheBackgroundAndItsReceiptReadBack() {
        Invoice invoice = new Invoice("INV-" + System.nanoTime(), "ada@example.com", new BigDecimal("120.00"));
        HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/invoices"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json.toJson(invoice))).build();

        // The server may still be starting the application: ask until it takes the invoice.
        Sending submitted = await("POST " + post.uri()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> answer(post, 202), Optional::isPresent).orElseThrow();

        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/invoices/" + submitted.taskId()))
                .timeout(Duration.ofSeconds(10)).GET().build();
        Sending done = await("task " + submitted.taskId()).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> answer(get, 200), s -> s.isPresent() && FINAL.contains(s.get().state())).orElseThrow();

        assertEquals("succeeded", done.state(), () -> "the task did not succeed: " + done.error());
        assertEquals(invoice.id(), done.receipt().invoiceId());
        assertEquals("ada@example.com", done.receipt().sentTo());
    }

    /** The answer when it has the expected status; empty when it has another or none came. */
    private Optional<Sending> answer(HttpRequest request, int status) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == status ? Optional.of(json.fromJson(response.body(), Sending.class))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not listening yet
        }
    }
}

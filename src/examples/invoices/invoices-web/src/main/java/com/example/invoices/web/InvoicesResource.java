package com.example.invoices.web;

import com.example.invoices.Invoice;
import com.example.invoices.Invoices;
import com.example.invoices.Receipt;
import io.redtask.TaskResult;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /invoices/api/invoices} with an invoice answers 202 and the task's id at once;
 * {@code GET /invoices/api/invoices/{taskId}} says where it is and, once sent, gives the receipt.
 */
@Path("invoices")
@Produces(MediaType.APPLICATION_JSON)
public class InvoicesResource {

    /** What a GET answers. */
    public record Sending(String taskId, String state, Receipt receipt, String error) {
    }

    @Inject
    Invoices invoices;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response send(Invoice invoice) {
        String taskId = invoices.send(invoice);
        return Response.accepted(new Sending(taskId, "submitted", null, null)).build();
    }

    @GET
    @Path("{taskId}")
    public Response sending(@PathParam("taskId") String taskId) {
        return invoices.receipt(taskId)
                .map(InvoicesResource::sending)
                .map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).build());
    }

    private static Sending sending(TaskResult<Receipt> task) {
        return new Sending(task.status().id(), task.state().wireName(), task.value(), task.status().error());
    }
}

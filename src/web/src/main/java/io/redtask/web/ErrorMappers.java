package io.redtask.web;

import io.redtask.IdempotencyConflictException;
import io.redtask.InvalidRequestException;
import io.redtask.NotFoundException;
import io.redtask.StoreUnavailableException;
import jakarta.json.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Turns exceptions into JSON errors: bad input 400, Redis down 503, never a stack trace. */
public final class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {}

    /** A field of the request is wrong. */
    @Provider
    public static class InvalidTask implements ExceptionMapper<InvalidRequestException> {
        @Override
        public Response toResponse(InvalidRequestException e) {
            if (e instanceof IdempotencyConflictException c) {
                // 409 naming the task the key belongs to, so the caller can look at it.
                return Response.status(Response.Status.CONFLICT)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(Json.createObjectBuilder()
                                .add("error", c.getMessage())
                                .add("field", c.field())
                                .add("id", c.firstTaskId())
                                .build()
                                .toString())
                        .build();
            }
            return Problems.of(Response.Status.BAD_REQUEST, e.getMessage(), e.field());
        }
    }

    /** What the request names does not exist. */
    @Provider
    public static class NotFound implements ExceptionMapper<NotFoundException> {
        @Override
        public Response toResponse(NotFoundException e) {
            return Problems.of(Response.Status.NOT_FOUND, e.getMessage());
        }
    }

    /** Redis cannot be reached: the caller may retry later; nothing was stored. */
    @Provider
    public static class StoreUnavailable implements ExceptionMapper<StoreUnavailableException> {
        @Override
        public Response toResponse(StoreUnavailableException e) {
            LOG.warning("RedTask REST: " + e.getMessage());
            return Problems.of(
                    Response.Status.SERVICE_UNAVAILABLE, "the task store (Redis) is unavailable; try again later");
        }
    }

    /** JAX-RS's own answers (404, 405, 415, ...) in the same JSON shape, in words rather than framework codes. */
    @Provider
    public static class WebApplication implements ExceptionMapper<WebApplicationException> {

        @jakarta.ws.rs.core.Context
        jakarta.ws.rs.core.UriInfo uri;

        @jakarta.ws.rs.core.Context
        jakarta.ws.rs.core.Request request;

        @Override
        public Response toResponse(WebApplicationException e) {
            Response r = e.getResponse();
            String message = e.getMessage();
            if (message == null || message.startsWith("RESTEASY") || message.startsWith("HTTP ")) {
                message = describe(r);
            }
            return Problems.of(r.getStatusInfo(), message);
        }

        private String describe(Response r) {
            String what = request == null || uri == null
                    ? "this request"
                    : request.getMethod() + " /" + uri.getPath().replaceFirst("^/", "");
            return switch (r.getStatus()) {
                case 404 ->
                    "no such resource: " + what
                            + "; see the REST API in the README (/api/tasks, /api/queues, /api/servers)";
                case 405 ->
                    what + " is not allowed"
                            + (r.getAllowedMethods().isEmpty()
                                    ? ""
                                    : "; allowed: " + new java.util.TreeSet<>(r.getAllowedMethods()));
                case 415 -> what + ": unsupported content type; send JSON";
                case 406 -> what + ": the answer is JSON only";
                default -> r.getStatusInfo().getReasonPhrase();
            };
        }
    }

    /** Anything else: logged with its stack trace here, a short message to the client. */
    @Provider
    public static class Unexpected implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            if (e instanceof WebApplicationException w) {
                return Problems.of(
                        w.getResponse().getStatusInfo(),
                        w.getResponse().getStatusInfo().getReasonPhrase());
            }
            if (e instanceof InvalidRequestException i) {
                return new InvalidTask().toResponse(i);
            }
            if (e instanceof NotFoundException n) {
                return new NotFound().toResponse(n);
            }
            if (e instanceof StoreUnavailableException s) {
                return new StoreUnavailable().toResponse(s);
            }
            LOG.log(Level.SEVERE, "RedTask REST: unexpected error", e);
            return Problems.of(Response.Status.INTERNAL_SERVER_ERROR, "internal error; the server log has details");
        }
    }
}

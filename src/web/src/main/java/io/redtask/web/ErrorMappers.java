package io.redtask.web;

import io.redtask.InvalidTaskException;
import io.redtask.StoreUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Turns exceptions into JSON errors: bad input 400, Redis down 503, never a stack trace. */
public final class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {
    }

    /** A field of the request is wrong. */
    @Provider
    public static class InvalidTask implements ExceptionMapper<InvalidTaskException> {
        @Override
        public Response toResponse(InvalidTaskException e) {
            return Problems.of(Response.Status.BAD_REQUEST, e.getMessage(), e.field());
        }
    }

    /** Redis cannot be reached: the caller may retry later; nothing was stored. */
    @Provider
    public static class StoreUnavailable implements ExceptionMapper<StoreUnavailableException> {
        @Override
        public Response toResponse(StoreUnavailableException e) {
            LOG.warning("RedTask REST: " + e.getMessage());
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE,
                    "the task store (Redis) is unavailable; try again later");
        }
    }

    /** JAX-RS's own answers (404, 405, 415, ...) in the same JSON shape. */
    @Provider
    public static class WebApplication implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response r = e.getResponse();
            return Problems.of(r.getStatusInfo(), e.getMessage() == null ? r.getStatusInfo().getReasonPhrase() : e.getMessage());
        }
    }

    /** Anything else: logged with its stack trace here, a short message to the client. */
    @Provider
    public static class Unexpected implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            if (e instanceof WebApplicationException w) {
                return new WebApplication().toResponse(w);
            }
            if (e instanceof InvalidTaskException i) {
                return new InvalidTask().toResponse(i);
            }
            if (e instanceof StoreUnavailableException s) {
                return new StoreUnavailable().toResponse(s);
            }
            LOG.log(Level.SEVERE, "RedTask REST: unexpected error", e);
            return Problems.of(Response.Status.INTERNAL_SERVER_ERROR, "internal error; the server log has details");
        }
    }
}

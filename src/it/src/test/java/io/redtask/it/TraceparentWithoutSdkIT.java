package io.redtask.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The DESIGN contract "traceparent on POST /api/tasks gives the task's traceId" on a server as it
 * is by default: mpTelemetry on, its SDK off (no span of the request's own), so the header itself
 * is kept; a header that is not a valid traceparent is ignored (W3C), never an error.
 */
@ExtendWith(ArquillianExtension.class)
class TraceparentWithoutSdkIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("traceparent-it");
    }

    @ArquillianResource
    URL injected;

    private ItSupport.Client rest;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void client() {
        rest = new ItSupport.Client(Deployments.webRoot(injected), null);
    }

    private JsonObject submitted(String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(rest.uri("api/tasks"))
                .timeout(ItSupport.TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}"));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String id = rest.object(r, 201).getString("id");
        return await("task " + id + " succeeded")
                .atMost(Duration.ofSeconds(30))
                .until(() -> rest.getObject("api/tasks/" + id), t -> "succeeded".equals(t.getString("state")));
    }

    @Test
    void theHeadersTraceIdIsTheTasksAndABadHeaderIsIgnored() throws Exception {
        JsonObject traced = submitted("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertEquals("0af7651916cd43dd8448eb211c80319c", traced.getString("traceId"), traced::toString);

        for (String bad :
                new String[] {"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "ff-garbage", "<script>"}) {
            JsonObject ignored = submitted(bad);
            assertFalse(ignored.containsKey("traceId"), () -> bad + ": " + ignored);
        }
        JsonObject none = submitted(null);
        assertFalse(none.containsKey("traceId"), none::toString);
    }
}

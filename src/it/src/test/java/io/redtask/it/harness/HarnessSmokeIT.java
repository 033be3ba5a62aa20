package io.redtask.it.harness;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The test harness itself, without RedTask: Arquillian starts the Liberty server created from
 * liberty/server.xml, deploys a war, and the two managed executors RedTask relies on
 * (concurrent/redtaskWorkers, concurrent/redtaskScheduler) are there. When this fails, the
 * other ITs cannot pass; look at the server and the test redis-server first.
 */
@ExtendWith(ArquillianExtension.class)
class HarnessSmokeIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ShrinkWrap.create(WebArchive.class, "harness-smoke.war")
                .addClasses(PingApplication.class, PingResource.class);
    }

    @ArquillianResource
    URL base;

    @Test
    void theServerRunsAWarWithTheRedTaskExecutors() throws Exception {
        String root = base.toExternalForm();
        URI ping = URI.create(root.endsWith("/") ? root : root + "/").resolve("ping");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(ping)
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> ping + ": " + response.body());
        assertEquals("pong worker scheduler", response.body());
    }
}

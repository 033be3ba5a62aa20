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
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo war's in-Liberty bench endpoint ({@code POST /demo/bench}, what {@code scripts/bench}
 * calls): only for the admin role, bad input refused with a message naming it, and a run counts
 * exactly the tasks it submitted, run by this server's workers.
 */
@ExtendWith(ArquillianExtension.class)
class BenchEndpointIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Deployments.demoApplication("bench-endpoint-it");
    }

    @ArquillianResource
    URL base;

    private ItSupport.Client anonymous;

    @BeforeEach
    void clients() {
        anonymous = new ItSupport.Client(Deployments.webRoot(base), null);
    }

    @Test
    void onlyAnAdminMayRunTheBench() throws Exception {
        assertEquals(401, anonymous.post("demo/bench?n=1", "").statusCode());
        assertEquals(
                403,
                anonymous.as(ItSupport.submitter()).post("demo/bench?n=1", "").statusCode());
    }

    @Test
    void badInputIsRefusedNamingIt() throws Exception {
        ItSupport.Client admin = anonymous.as(ItSupport.admin());
        HttpResponse<String> r = admin.post("demo/bench?n=lots", "");
        assertEquals(400, r.statusCode(), r::body);
        assertTrue(r.body().contains("n must be 1..1000000"), r::body);
        assertEquals(400, admin.post("demo/bench?mode=sideways", "").statusCode());
    }

    @Test
    void aRunCountsTheTasksItSubmittedBulkAndSingle() throws Exception {
        ItSupport.Client admin = anonymous.as(ItSupport.admin());
        JsonObject bulk = admin.object(admin.post("demo/bench?n=300&mode=bulk&bulk=100", ""), 200);
        assertEquals("liberty-bulk", bulk.getString("mode"));
        assertEquals(300, bulk.getInt("completed"), bulk::toString);
        assertTrue(bulk.getBoolean("finished"), bulk::toString);
        assertTrue(bulk.getJsonNumber("e2e_jobs_per_s").doubleValue() > 0, bulk::toString);
        // What scripts/bench's warm-up reads: the server JIT's time during the run, and the run's.
        assertTrue(bulk.getJsonNumber("wall_ms").longValue() >= 0, bulk::toString);
        assertTrue(bulk.getJsonNumber("jit_ms").longValue() >= -1, bulk::toString);
        JsonObject single = admin.object(admin.post("demo/bench?n=50&mode=single", ""), 200);
        assertEquals("liberty-single", single.getString("mode"));
        assertEquals(50, single.getInt("completed"), single::toString);
        assertTrue(single.getBoolean("finished"), single::toString);
    }
}

package io.redtask.demo.bench;

import io.redtask.cdi.RedTaskConfig;
import jakarta.annotation.security.DeclareRoles;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.HttpConstraint;
import jakarta.servlet.annotation.ServletSecurity;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * {@code POST /demo/bench?n=20000&mode=bulk&bulk=500} (admin role): runs {@link BenchRuns} and
 * answers one JSON line in the format of the in-process bench, with {@code mode} {@code liberty-bulk}
 * or {@code liberty-single}. For {@code scripts/bench}; it only exists in the demo war, which real
 * applications do not deploy, and still needs the admin login since it floods the queue.
 */
@WebServlet("/bench")
@DeclareRoles("admin")
@ServletSecurity(@HttpConstraint(rolesAllowed = "admin"))
public class BenchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Inject
    transient BenchRuns runs;

    @Inject
    transient RedTaskConfig config;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String mode = req.getParameter("mode") == null ? "bulk" : req.getParameter("mode");
        Integer n = number(req, "n", 20_000, 1, 1_000_000);
        Integer bulk = number(req, "bulk", 500, 1, 10_000);
        if (n == null || bulk == null || !(mode.equals("bulk") || mode.equals("single"))) {
            resp.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getWriter()
                    .println("bad bench request: n must be 1..1000000, bulk 1..10000, mode bulk or single; got n="
                            + clean(req.getParameter("n")) + " bulk=" + clean(req.getParameter("bulk")) + " mode="
                            + clean(mode));
            return;
        }
        BenchRuns.Result r;
        // How long this JVM's JIT compiled during the run, beside the run's wall time: the bench
        // warms the server up until it compiles little (scripts/bench, as Bench.settle in-process).
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long jitBefore = jitMillis(jit);
        long wallBefore = System.nanoTime();
        try {
            r = runs.run(n, mode.equals("bulk"), bulk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "interrupted");
            return;
        }
        resp.setContentType("application/json");
        resp.getWriter()
                .println(String.format(
                        Locale.ROOT,
                        "{\"system\":\"redtask\",\"mode\":\"liberty-%s\",\"concurrency\":%d,\"n\":%d,\"completed\":%d,"
                                + "\"finished\":%b,\"e2e_jobs_per_s\":%.0f,\"enqueue_jobs_per_s\":%.0f,\"jit_ms\":%d,"
                                + "\"wall_ms\":%d}",
                        mode,
                        config.engine().concurrency(),
                        r.n(),
                        r.completed(),
                        r.finished(),
                        r.e2ePerSecond(),
                        r.enqueuePerSecond(),
                        jitBefore < 0 ? -1 : jitMillis(jit) - jitBefore,
                        (System.nanoTime() - wallBefore) / 1_000_000));
    }

    /** The JIT's compilation time so far (ms), or -1 when this JVM does not tell. */
    private static long jitMillis(CompilationMXBean jit) {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** The whole-number parameter, its default when absent, or null when it is not a number in range. */
    private static Integer number(HttpServletRequest req, String name, int defaultValue, int min, int max) {
        String v = req.getParameter(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int i = Integer.parseInt(v);
            return i >= min && i <= max ? i : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Echoed input, cut short and limited to harmless characters (the answer is plain text). */
    private static String clean(String v) {
        if (v == null) {
            return "(none)";
        }
        String s = v.length() > 20 ? v.substring(0, 20) + "..." : v;
        return s.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}

package io.redtask.it.harness;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** JAX-RS root of the harness smoke test's war. */
@ApplicationPath("/")
public class PingApplication extends Application {}

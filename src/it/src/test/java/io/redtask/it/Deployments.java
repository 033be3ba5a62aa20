package io.redtask.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds test deployments the way users deploy RedTask: an EAR whose {@code lib/} holds the
 * library and its runtime dependencies (exactly what src/ear puts there), with the test's war, or
 * with the web and demo wars as src/ear has them.
 *
 * <p>The parts come from {@code target/it-libs}, which maven-dependency-plugin fills from the
 * reactor before the integration tests (system property {@code redtask.it.libs}).
 */
final class Deployments {

    /** Where src/ear puts the demo handlers' war; the web war is at "/". */
    static final String DEMO_CONTEXT_ROOT = "/demo";

    private Deployments() {}

    /** A war of an EAR and its context root. */
    private record WebModule(WebArchive war, String contextRoot) {}

    private static Path libs() {
        String dir = System.getProperty("redtask.it.libs");
        if (dir == null) {
            throw new IllegalStateException(
                    "system property redtask.it.libs is not set: run the tests with Maven (failsafe)");
        }
        return Paths.get(dir);
    }

    private static File[] jars(String subdirectory) {
        Path dir = libs().resolve(subdirectory);
        try (Stream<Path> files = Files.list(dir)) {
            File[] jars = files.filter(p -> p.toString().endsWith(".jar"))
                    .map(Path::toFile)
                    .sorted()
                    .toArray(File[]::new);
            if (jars.length == 0) {
                throw new IllegalStateException("no jars in " + dir);
            }
            return jars;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }

    /** redtask-core and its runtime dependencies (Jedis, SLF4J...): the EAR's lib/. */
    static File[] earLibraries() {
        return jars("ear-lib");
    }

    /** Libraries an in-container test class needs besides JUnit and Arquillian (Awaitility, Hamcrest). */
    static File[] testLibraries() {
        return jars("test-lib");
    }

    /** The war the web module built (REST API, health, metrics, dashboard). */
    static File webWar() {
        return war("redtask-web.war", "web");
    }

    /** The war the demo module built (the demo task handlers echo, sleep, fail, noop). */
    static File demoWar() {
        return war("redtask-demo.war", "demo");
    }

    private static File war(String fileName, String module) {
        File war = libs().resolve("wars").resolve(fileName).toFile();
        if (!war.isFile()) {
            throw new IllegalStateException("missing " + war + ": the " + module + " module must be built first");
        }
        return war;
    }

    /**
     * The demo application as src/ear builds it, named {@code name.ear}: the web war at "/", the
     * demo handlers' war at {@link #DEMO_CONTEXT_ROOT}, the library in lib/. Tests reach the web
     * war through {@link #webRoot(URL)}.
     */
    static EnterpriseArchive demoApplication(String name) {
        return ear(
                name,
                List.of(
                        new WebModule(ShrinkWrap.createFromZipFile(WebArchive.class, webWar()), "/"),
                        new WebModule(ShrinkWrap.createFromZipFile(WebArchive.class, demoWar()), DEMO_CONTEXT_ROOT)));
    }

    /**
     * The web war's address in a {@link #demoApplication}, from the URL Arquillian injects. With
     * more than one war in an EAR, Liberty's Arquillian container cannot tell which one the URL is
     * for (it sees no servlet in a JAX-RS war) and gives {@code /<ear name>/}, where nothing is
     * served; the web war is at the server's root.
     */
    static URL webRoot(URL injected) {
        try {
            return injected.toURI().resolve("/").toURL();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalStateException("not a usable URL: " + injected, e);
        }
    }

    /**
     * The demo application with {@code properties} as {@code META-INF/microprofile-config.properties}
     * of both wars (settings of this application only, e.g. its OpenTelemetry SDK).
     */
    static EnterpriseArchive demoApplication(String name, String properties) {
        return ear(
                name,
                List.of(
                        new WebModule(
                                ShrinkWrap.createFromZipFile(WebArchive.class, webWar())
                                        .addAsResource(
                                                new StringAsset(properties), "META-INF/microprofile-config.properties"),
                                "/"),
                        new WebModule(
                                ShrinkWrap.createFromZipFile(WebArchive.class, demoWar())
                                        .addAsResource(
                                                new StringAsset(properties), "META-INF/microprofile-config.properties"),
                                DEMO_CONTEXT_ROOT)));
    }

    /**
     * An EAR named {@code name.ear} with {@code war} at {@code contextRoot} and the library in lib/.
     */
    static EnterpriseArchive ear(String name, WebArchive war, String contextRoot) {
        return ear(name, List.of(new WebModule(war, contextRoot)));
    }

    private static EnterpriseArchive ear(String name, List<WebModule> modules) {
        EnterpriseArchive ear =
                ShrinkWrap.create(EnterpriseArchive.class, name + ".ear").addAsLibraries(earLibraries());
        modules.forEach(m -> ear.addAsModule(m.war()));
        ear.setApplicationXML(new StringAsset(applicationXml(name, modules)));
        // The same role bindings as the real EAR (admin, submitter -> groups of server.xml's registry).
        ear.addAsManifestResource(applicationBindings(), "ibm-application-bnd.xml");
        return ear;
    }

    /** src/ear's META-INF/ibm-application-bnd.xml (system property {@code redtask.it.app.bnd}). */
    static File applicationBindings() {
        String path = System.getProperty("redtask.it.app.bnd");
        if (path == null || !new File(path).isFile()) {
            throw new IllegalStateException("system property redtask.it.app.bnd must name src/ear's "
                    + "META-INF/ibm-application-bnd.xml, was " + path);
        }
        return new File(path);
    }

    private static String applicationXml(String name, List<WebModule> modules) {
        String webModules = modules.stream()
                .map(m -> """
                  <module>
                    <web>
                      <web-uri>%s</web-uri>
                      <context-root>%s</context-root>
                    </web>
                  </module>
                """.formatted(m.war().getName(), m.contextRoot()))
                .collect(Collectors.joining());
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <application xmlns="https://jakarta.ee/xml/ns/jakartaee"
                             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                             xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/application_10.xsd"
                             version="10">
                  <application-name>%s</application-name>
                %s  <library-directory>lib</library-directory>
                </application>
                """.formatted(name, webModules);
    }
}

package io.redtask.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds test deployments the way users deploy RedTask: an EAR whose {@code lib/} holds the
 * library and its runtime dependencies (exactly what src/ear puts there), with one war.
 *
 * <p>The parts come from {@code target/it-libs}, which maven-dependency-plugin fills from the
 * reactor before the integration tests (system property {@code redtask.it.libs}).
 */
final class Deployments {

    private Deployments() {
    }

    private static Path libs() {
        String dir = System.getProperty("redtask.it.libs");
        if (dir == null) {
            throw new IllegalStateException("system property redtask.it.libs is not set: run the tests with Maven (failsafe)");
        }
        return Paths.get(dir);
    }

    private static File[] jars(String subdirectory) {
        Path dir = libs().resolve(subdirectory);
        try (Stream<Path> files = Files.list(dir)) {
            File[] jars = files.filter(p -> p.toString().endsWith(".jar")).map(Path::toFile).sorted().toArray(File[]::new);
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

    /** The war the web module built (REST API, demo handlers). */
    static File webWar() {
        File war = libs().resolve("wars").resolve("redtask-web.war").toFile();
        if (!war.isFile()) {
            throw new IllegalStateException("missing " + war + ": the web module must be built first");
        }
        return war;
    }

    /**
     * An EAR named {@code name.ear} with {@code war} at {@code contextRoot} and the library in lib/.
     */
    static EnterpriseArchive ear(String name, WebArchive war, String contextRoot) {
        EnterpriseArchive ear = ShrinkWrap.create(EnterpriseArchive.class, name + ".ear")
                .addAsModule(war)
                .addAsLibraries(earLibraries());
        ear.setApplicationXML(new StringAsset(applicationXml(name, war.getName(), contextRoot)));
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

    private static String applicationXml(String name, String warName, String contextRoot) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <application xmlns="https://jakarta.ee/xml/ns/jakartaee"
                             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                             xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/application_10.xsd"
                             version="10">
                  <application-name>%s</application-name>
                  <module>
                    <web>
                      <web-uri>%s</web-uri>
                      <context-root>%s</context-root>
                    </web>
                  </module>
                  <library-directory>lib</library-directory>
                </application>
                """.formatted(name, warName, contextRoot);
    }
}

package io.redtask.it;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wars as the reactor built them (no server needed): the web war, the one users deploy, carries
 * no demo task types; the demo war carries them and, like the web war, no copy of the library
 * (lib/ of the EAR holds the only one).
 */
class WarContentsIT {

    private static final String DEMO_PACKAGE = "WEB-INF/classes/io/redtask/demo/";

    private static List<String> entries(File war) throws IOException {
        try (ZipFile zip = new ZipFile(war)) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theWebWarHasNoDemoHandlers() throws IOException {
        List<String> demo = entries(Deployments.webWar()).stream()
                .filter(e -> e.startsWith(DEMO_PACKAGE))
                .toList();
        assertEquals(List.of(), demo, "demo classes in the web war");
    }

    @Test
    void theDemoWarHasTheFourHandlersAndNoLibrary() throws IOException {
        List<String> entries = entries(Deployments.demoWar());
        for (String handler : List.of("EchoHandler", "SleepHandler", "FailHandler", "NoopHandler")) {
            assertTrue(entries.contains(DEMO_PACKAGE + handler + ".class"), () -> handler + " missing: " + entries);
        }
        assertTrue(
                entries.stream().noneMatch(e -> e.startsWith("WEB-INF/lib/")),
                () -> "libraries in the demo war: " + entries);
    }
}

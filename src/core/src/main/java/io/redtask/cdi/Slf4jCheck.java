package io.redtask.cdi;

import java.util.logging.Logger;

/**
 * Jedis logs through SLF4J, and RedTask leaves the choice of binding to the application (on
 * Liberty: {@code org.slf4j:slf4j-jdk14} in the EAR's lib/, which hands the messages to
 * java.util.logging and so to messages.log). Without one, SLF4J prints a line on stderr and drops
 * Jedis's messages (connection failures among them); this says in Liberty's log what to add.
 */
final class Slf4jCheck {

    private static final Logger LOG = Logger.getLogger(RedTaskRuntime.class.getName());

    private Slf4jCheck() {}

    static void warnWithoutBinding() {
        try {
            if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof org.slf4j.helpers.NOPLoggerFactory) {
                LOG.warning(
                        "RedTask: no SLF4J binding in the application, so the Redis client's (Jedis's) messages are "
                                + "dropped. Add org.slf4j:slf4j-jdk14 (version from io.redtask:redtask-bom) to the EAR's lib/ "
                                + "to see them in messages.log");
            }
        } catch (LinkageError e) {
            // An slf4j-api older than 2.0 (no NOPLoggerFactory check possible): the BOM aligns it.
            LOG.warning("RedTask: the SLF4J API in the application is not 2.x (" + e
                    + "); import io.redtask:redtask-bom " + "so that Jedis's messages reach the log");
        }
    }
}

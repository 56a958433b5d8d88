package org.cnn4j.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How {@code -Dcnn4j.detectAnomaly} and {@code CNN4J_DETECT_ANOMALY} switch the mode on for a run. */
class AnomalyFlagTest {
    @Test
    void eitherTheSystemPropertyOrTheEnvironmentVariableTurnsTheModeOn() {
        assertFalse(Anomaly.requested(null, null), "off when neither is set");
        assertTrue(Anomaly.requested("true", null));
        assertTrue(Anomaly.requested(null, "1"));
        assertTrue(Anomaly.requested("TRUE", "false"), "the property is enough");
        assertTrue(Anomaly.requested(null, " true "));
        assertFalse(Anomaly.requested("false", "0"));
        assertFalse(Anomaly.requested("yes", ""), "only true or 1 count");
    }
}

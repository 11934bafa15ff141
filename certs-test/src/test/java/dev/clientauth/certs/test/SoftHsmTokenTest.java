package dev.clientauth.certs.test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class SoftHsmTokenTest {
    @Test
    void missingSoftHsm_underCi_fails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SoftHsmToken.requireInstalled(false, "true"));
        assertTrue(e.getMessage().contains("required when CI=true"), e.getMessage());
    }

    @Test
    void missingSoftHsm_outsideCi_isSkippedNotPassed() {
        assertThrows(TestAbortedException.class, () -> SoftHsmToken.requireInstalled(false, null));
        assertThrows(TestAbortedException.class, () -> SoftHsmToken.requireInstalled(false, "false"));
    }
}

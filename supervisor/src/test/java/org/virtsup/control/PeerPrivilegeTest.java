package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerPrivilegeTest {
    @Test
    void rootAndMembersOfTheControlGroupArePrivileged() {
        PeerPrivilege privilege = new PeerPrivilege(108);
        assertTrue(privilege.identify(0, 0, 49, new int[0]).privileged(), "root");
        assertTrue(privilege.identify(1000, 1000, 50, new int[] {4, 24, 108}).privileged(), "supplementary member");
        assertTrue(privilege.identify(1000, 108, 52, new int[0]).privileged(), "primary group");
        assertFalse(privilege.identify(1000, 1000, 51, new int[] {4, 24}).privileged());
        assertFalse(privilege.identify(1000, 1000, 52, new int[0]).privileged());
    }
}

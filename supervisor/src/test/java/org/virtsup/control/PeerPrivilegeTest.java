package org.virtsup.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerPrivilegeTest {
    @TempDir
    Path proc;

    private void process(int pid, String groupsLine) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("status"), "Name:\tvirsh\nUid:\t1000\t1000\t1000\t1000\n" + groupsLine
                + "\nVmPeak:\t  1234 kB\n");
    }

    @Test
    void rootAndMembersOfTheControlGroupArePrivileged() throws IOException {
        PeerPrivilege privilege = new PeerPrivilege(108, proc);
        process(50, "Groups:\t4 24 108 ");
        process(51, "Groups:\t4 24");
        process(52, "Groups:");
        assertTrue(privilege.identify(0, 0, 49).privileged(), "root, even when its /proc entry is gone");
        assertTrue(privilege.identify(1000, 1000, 50).privileged(), "supplementary member");
        assertTrue(privilege.identify(1000, 108, 52).privileged(), "primary group");
        assertFalse(privilege.identify(1000, 1000, 51).privileged());
        assertFalse(privilege.identify(1000, 1000, 52).privileged());
        assertFalse(privilege.identify(1000, 1000, 53).privileged(), "a peer that is gone gets no privilege");
        assertEquals(List.of(4, 24, 108), privilege.supplementaryGroups(50));
    }
}

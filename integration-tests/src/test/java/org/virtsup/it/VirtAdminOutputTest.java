package org.virtsup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Parsing of virt-admin's output, on text captured from libvirt 9.0. */
class VirtAdminOutputTest {

    @Test
    void readsThreadPoolFields() {
        String output = """
                minWorkers     : 3
                maxWorkers     : 7
                nWorkers       : 3
                freeWorkers    : 3
                prioWorkers    : 2
                jobQueueDepth  : 0

                """;
        Map<String, String> fields = VirtAdmin.fields(output);
        assertEquals("3", fields.get("minWorkers"));
        assertEquals("7", fields.get("maxWorkers"));
        assertEquals("2", fields.get("prioWorkers"));
        assertEquals(6, fields.size());
    }

    @Test
    void readsClientFieldsWithUnderscores() {
        Map<String, String> fields = VirtAdmin.fields("nclients_max        : 42\nnclients_unauth_max : 9\n");
        assertEquals(Map.of("nclients_max", "42", "nclients_unauth_max", "9"), fields);
    }

    @Test
    void refusesOutputWithoutFields() {
        assertThrows(AssertionError.class, () -> VirtAdmin.fields("error: failed to connect\n"));
    }

    @Test
    void readsLabelledLists() {
        assertEquals("3:*remote* 4:*event*", VirtAdmin.labelled(" Logging filters: 3:*remote* 4:*event*\n\n",
                "Logging filters:"));
        assertEquals("", VirtAdmin.labelled(" Logging filters: \n", "Logging filters:"));
        assertThrows(AssertionError.class, () -> VirtAdmin.labelled("nothing\n", "Logging outputs:"));
    }

    @Test
    void filtersComeBackAsGlobsWithoutTheStackTraceMark() {
        assertEquals("3:*remote* 4:*event*", VirtAdmin.asReportedFilters("3:remote 4:event"));
        assertEquals("1:*qemu* 2:*util.json*", VirtAdmin.asReportedFilters("1:+qemu  2:util.json"));
    }
}

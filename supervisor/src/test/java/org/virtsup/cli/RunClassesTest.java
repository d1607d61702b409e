package org.virtsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The list of run's classes that the training run puts in the class-data archive. */
class RunClassesTest {
    @Test
    void listsRunsOwnClassesAndTheLibrariesItUses() {
        List<String> names = RunClasses.names();
        assertTrue(names.contains("org.virtsup.run.VirtsupRun"), "run's classes are listed");
        assertTrue(names.contains("org.virtsup.posix.JnrPosix"), "run's classes are listed");
        assertTrue(names.stream().anyMatch(name -> name.startsWith("jnr.ffi.")), "the libraries' too");
        assertTrue(names.stream().noneMatch(name -> name.startsWith("io.prometheus.")),
                "nothing that run without metrics-address does not load");
    }

    @Test
    void everyClassOfVirtsupListedStillExists() {
        List<String> gone = RunClasses.names().stream().filter(name -> name.startsWith("org.virtsup."))
                .filter(name -> {
                    try {
                        Class.forName(name, false, RunClasses.class.getClassLoader());
                        return false;
                    } catch (ClassNotFoundException e) {
                        return true;
                    }
                }).toList();
        assertEquals(List.of(), gone, "classes listed in " + RunClasses.LIST
                + " that no longer exist: remove them, or make the list again as its header says");
    }

    @Test
    void loadsWhatThisJdkAndTheseJarsHave() {
        int loaded = RunClasses.load(RunClasses.class.getClassLoader());
        assertTrue(loaded > RunClasses.names().size() * 9 / 10, loaded + " of " + RunClasses.names().size());
    }
}

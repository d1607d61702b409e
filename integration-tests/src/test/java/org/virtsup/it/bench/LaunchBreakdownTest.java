package org.virtsup.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LaunchBreakdownTest {

    @Test
    void readsEachStepsFirstClassAndCountsWhatWasSpun() {
        String log = String.join("\n",
                "[0.020s] java.lang.Object source: shared objects file",
                "[0.059s] org.virtsup.cli.Main source: shared objects file (top)",
                "[0.068s] org.virtsup.cli.Commands$$Lambda$1/0x00007f8eab000bf0 source: org.virtsup.cli.Commands",
                "[0.142s] org.virtsup.posix.LibC source: shared objects file (top)",
                "[0.150s] org.virtsup.posix.LibC source: shared objects file (top)",
                "[0.193s] org.virtsup.host.LibvirtdVersion source: file:/usr/share/virtsup/virtsup.jar",
                "[0.200s] java.lang.invoke.LambdaForm$MH/0x00007f8eab035800 source: __JVM_LookupDefineClass__",
                "[0.263s] org.virtsup.run.VirtsupRun source: shared objects file (top)",
                "not a class line",
                "[0.406s] org.virtsup.supervise.Event$Spawned source: shared objects file (top)",
                "[0.432s] org.virtsup.supervise.Action$ReportReady source: shared objects file (top)");
        assertEquals("main 59 ms, configuration read, libc binding 142 ms, libvirtd asked its version 193 ms,"
                + " run 263 ms, files rendered -, control server -, first spawn 406 ms, ready reported 432 ms;"
                + " 10 classes, 7 from the archives; spun at run time: 1 lambda classes, 1 LambdaForm classes",
                LaunchBreakdown.of(log));
    }
}

package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The image packaging/container/build-image makes from the .deb the package
 * phase wrote, on the local base image, under a tag of its own that is
 * removed afterwards.
 */
class ContainerImageIT {

    private static final Path BUILD_IMAGE = Path.of("container", "build-image");

    private static String tag;

    @BeforeAll
    static void buildImage() {
        OutsideTool.require("a Docker engine", List.of("docker", "info"));
        String base = OutsideTool.baseImage().orElse(null);
        OutsideTool.requireThat(base != null, "the base image reference (VIRTSUP_BASE_IMAGE / -Dvirtsup.baseImage)");
        Path deb = BuiltDeb.path();
        String candidate = "virtsup-packaging-it:" + UUID.randomUUID();
        OutsideTool.Outcome built = OutsideTool.run(List.of(BUILD_IMAGE.toString(), candidate),
                Map.of("VIRTSUP_BASE_IMAGE", base, "VIRTSUP_DEB", deb.toAbsolutePath().toString()), 900);
        tag = candidate; // removed afterwards even if the build half failed
        built.expectSuccess();
        assertEquals(candidate, built.stdout().strip().lines().reduce((a, b) -> b).orElse(""),
                "build-image prints the image reference last");
    }

    @AfterAll
    static void removeImage() {
        if (tag != null) {
            OutsideTool.run(List.of("docker", "rmi", "-f", tag), Map.of(), 120);
        }
    }

    @Test
    void runsVirtsupAsItsOwnProcessWithAHealthCheck() {
        assertEquals("[\"/usr/bin/virtsup\",\"run\"]", inspect("{{json .Config.Entrypoint}}"));
        // The base image's CMD (bash) would otherwise become an argument of "virtsup run".
        String cmd = inspect("{{json .Config.Cmd}}");
        assertTrue(cmd.equals("null") || cmd.equals("[]"), "no CMD: " + cmd);
        assertEquals("SIGTERM", inspect("{{.Config.StopSignal}}"));
        assertEquals("[\"CMD\",\"/usr/bin/virtsup\",\"status\"]", inspect("{{json .Config.Healthcheck.Test}}"));
        assertEquals("{\"/etc/libvirt/qemu\":{},\"/var/lib/libvirt\":{},\"/var/log/libvirt\":{}}",
                inspect("{{json .Config.Volumes}}"));
    }

    @Test
    void labelsItWithTheOpenContainersKeys() {
        assertEquals(BuiltDeb.debianVersion(), inspect("{{index .Config.Labels \"org.opencontainers.image.version\"}}"));
        assertEquals("virtsup", inspect("{{index .Config.Labels \"org.opencontainers.image.title\"}}"));
        assertEquals(OutsideTool.baseImage().orElseThrow(),
                inspect("{{index .Config.Labels \"org.opencontainers.image.base.name\"}}"));
    }

    @Test
    void hasTheAccountsAndTheQemuSettingsLibvirtNeedsInAContainer() throws IOException {
        OutsideTool.Outcome outcome = inContainer(String.join("\n",
                "set -eu",
                "id -nG libvirt-qemu",
                "getent group libvirt >/dev/null && echo group libvirt",
                "grep -v '^#' /etc/libvirt/qemu.conf",
                "virtsup check",
                "(. /usr/share/virtsup/jvm.sh; virtsup_pick_java; virtsup_archives /var/cache/virtsup;"
                        + " test -s \"$virtsup_run_archive\" && test -s \"$virtsup_client_archive\") && echo class-data archive"));
        List<String> lines = outcome.stdout().lines().toList();
        assertEquals("kvm libvirt-qemu", lines.get(0), "libvirt-qemu's groups: kvm first (primary), then libvirt-qemu");
        assertEquals("group libvirt", lines.get(1));
        assertEquals(List.of("remember_owner = 0", "cgroup_controllers = [ ]"), lines.subList(2, 4));
        QemuConfLens.require();
        QemuConfLens.Parsed parsed = QemuConfLens.parse(String.join("\n", lines.subList(2, 4)) + "\n");
        assertFalse(parsed.failed(), "libvirt's lens refuses the image's qemu.conf:\n" + parsed.report());
        assertEquals("/etc/virtsup/config.scm: OK: supervises virtlogd and libvirtd", lines.get(4));
        assertEquals("class-data archive", lines.get(5), "the health probes' client starts from the package's archive");
    }

    @Test
    void becomesHealthyRunsAGuestPassesTheDaemonSetsProbesAndStopsCleanly() {
        String help = inContainer("virtsup --help").stdout();
        assumeTrue(help.lines().anyMatch(line -> line.strip().startsWith("run ")),
                "virtsup run is not written yet (virtsup --help does not list it)");
        String name = "virtsup-packaging-it-" + UUID.randomUUID();
        long since = Instant.now().getEpochSecond();
        try {
            OutsideTool.run(List.of("docker", "run", "-d", "--name", name, "--network", "none", tag),
                    Map.of(), 120).expectSuccess();
            // Docker reports the health check's verdicts as events: wait for the
            // first one (or the container's end), with a deadline far above the
            // first check (10 s) so that only a hang fails here.
            long until = since + 180;
            String verdict = OutsideTool.firstLine(List.of("docker", "events",
                            "--since", Long.toString(since), "--until", Long.toString(until),
                            "--filter", "container=" + name,
                            "--filter", "event=health_status", "--filter", "event=die",
                            "--format", "{{.Status}}"),
                    line -> line.startsWith("health_status") || line.equals("die"))
                    .orElse("no verdict before the deadline");
            assertEquals("health_status: healthy", verdict, () -> "health of " + name + "\n" + logs(name));

            // The accounts and qemu.conf are right when QEMU really starts a guest
            // (TCG, no /dev/kvm here), as libvirt-qemu.
            String guest = String.join("\n",
                    "set -eu",
                    "cat > /tmp/guest.xml <<'EOF'",
                    "<domain type='qemu'><name>packaging-it</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>",
                    "<os><type arch='x86_64'>hvm</type></os><devices><console type='pty'/></devices></domain>",
                    "EOF",
                    "virsh -q -c qemu:///system create /tmp/guest.xml >/dev/null",
                    "virsh -q -c qemu:///system domstate packaging-it",
                    "ps -o user= -C qemu-system-x86_64",
                    "virsh -q -c qemu:///system destroy packaging-it >/dev/null");
            OutsideTool.Outcome started = OutsideTool.run(List.of("docker", "exec", name, "sh", "-c", guest),
                    Map.of(), 300);
            assertEquals(0, started.exitCode(), () -> "a guest in the container\n" + started.stdout() + started.stderr()
                    + logs(name));
            assertEquals(List.of("running", "libvirt-qemu"), started.stdout().lines().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList(), "the guest's state and QEMU's user");

            // The DaemonSet's probes, run as the kubelet would, in this image.
            for (Map.Entry<String, List<String>> probe : daemonSetProbes().entrySet()) {
                List<String> exec = new ArrayList<>(List.of("docker", "exec", name));
                exec.addAll(probe.getValue());
                OutsideTool.Outcome outcome = OutsideTool.run(exec, Map.of(), 60);
                assertEquals(0, outcome.exitCode(), () -> "the DaemonSet's " + probe.getKey() + " " + probe.getValue()
                        + " in the healthy container\n" + outcome.stdout() + outcome.stderr());
            }

            OutsideTool.run(List.of("docker", "stop", "-t", "60", name), Map.of(), 120).expectSuccess();
            assertEquals("0", OutsideTool.run(List.of("docker", "inspect", "--format", "{{.State.ExitCode}}", name),
                    Map.of(), 60).expectSuccess().stdout().strip(),
                    () -> "virtsup's exit status after docker stop (TERM)\n" + logs(name));
        } finally {
            OutsideTool.run(List.of("docker", "rm", "-f", "-v", name), Map.of(), 60);
        }
    }

    /** Each exec probe of the DaemonSet's virtsup container, by name. */
    private static Map<String, List<String>> daemonSetProbes() {
        Map<String, List<String>> probes = new TreeMap<>();
        try {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            for (Object document : yaml.loadAll(Files.readString(Path.of("kubernetes", "virtsup-daemonset.yaml")))) {
                YamlTree tree = new YamlTree("manifest", document);
                if (!tree.get("kind").text().equals("DaemonSet")) {
                    continue;
                }
                YamlTree container = tree.get("spec").get("template").get("spec").get("containers").items().get(0);
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    probes.put(probe, container.get(probe).get("exec").get("command").texts());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(3, probes.size(), "the DaemonSet's three probes");
        return probes;
    }

    private static String logs(String container) {
        OutsideTool.Outcome logs = OutsideTool.run(List.of("docker", "logs", container), Map.of(), 60);
        return "--- docker logs " + container + "\n" + logs.stdout() + logs.stderr();
    }

    private static OutsideTool.Outcome inContainer(String script) {
        String name = "virtsup-packaging-it-" + UUID.randomUUID();
        try {
            return OutsideTool.run(List.of("docker", "run", "--rm", "--name", name, "--network", "none",
                    "--entrypoint", "/bin/sh", tag, "-c", script), Map.of(), 300).expectSuccess();
        } finally {
            OutsideTool.run(List.of("docker", "rm", "-f", name), Map.of(), 60);
        }
    }

    private static String inspect(String format) {
        return OutsideTool.run(List.of("docker", "image", "inspect", "--format", format, tag), Map.of(), 60)
                .expectSuccess().stdout().strip();
    }
}

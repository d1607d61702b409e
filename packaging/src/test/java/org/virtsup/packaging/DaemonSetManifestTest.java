package org.virtsup.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.virtsup.config.Configuration;
import org.virtsup.config.ConfigurationLoader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifest cannot be applied here, so it is read: the kinds and
 * API versions, the references between its objects, the probes, the
 * configuration it ships (loaded by the real loader) and the grace period
 * against that configuration's stop timeout.
 */
class DaemonSetManifestTest {

    private static final Path MANIFEST = Path.of("kubernetes", "virtsup-daemonset.yaml");
    private static final String NAMESPACE = "virtsup";

    private static Map<String, YamlTree> byKind;

    @BeforeAll
    static void parse() throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        byKind = new TreeMap<>();
        int index = 0;
        for (Object document : yaml.loadAll(Files.readString(MANIFEST))) {
            YamlTree tree = new YamlTree(MANIFEST + "#" + index++, document);
            String kind = tree.get("kind").text();
            if (byKind.put(kind, tree) != null) {
                fail(MANIFEST + ": two documents of kind " + kind);
            }
        }
    }

    @Test
    void declaresTheFourObjectsWithTheirApiVersions() {
        Map<String, String> versions = new TreeMap<>();
        byKind.forEach((kind, tree) -> versions.put(kind, tree.get("apiVersion").text()));
        assertEquals(Map.of("Namespace", "v1", "ServiceAccount", "v1", "ConfigMap", "v1", "DaemonSet", "apps/v1"),
                versions);
    }

    @Test
    void spellsEveryFieldAsTheApiDoes() {
        List<String> unknown = new ArrayList<>();
        byKind.forEach((kind, tree) -> unknown.addAll(KubernetesFieldNames.unknownFields(tree, kind)));
        assertEquals(List.of(), unknown, "fields the API server would drop");
    }

    @Test
    void putsEveryNamespacedObjectInTheNamespaceItDeclares() {
        assertEquals(NAMESPACE, byKind.get("Namespace").get("metadata").get("name").text());
        for (String kind : List.of("ServiceAccount", "ConfigMap", "DaemonSet")) {
            assertEquals(NAMESPACE, byKind.get(kind).get("metadata").get("namespace").text(), kind);
        }
    }

    @Test
    void selectsThePodsItsTemplateLabels() {
        YamlTree spec = daemonSetSpec();
        YamlTree selector = spec.get("selector").get("matchLabels");
        YamlTree labels = spec.get("template").get("metadata").get("labels");
        Map<?, ?> wanted = (Map<?, ?>) selector.value();
        assertFalse(wanted.isEmpty(), "an empty selector would match every pod of the namespace");
        wanted.forEach((key, value) -> assertEquals(value, labels.get((String) key).text(),
                "template label " + key + " must match the selector"));
    }

    @Test
    void runsUnderItsOwnServiceAccount() {
        assertEquals(byKind.get("ServiceAccount").get("metadata").get("name").text(),
                podSpec().get("serviceAccountName").text());
    }

    @Test
    void mountsOnlyDeclaredVolumesAndUsesEveryOne() {
        Set<String> declared = new HashSet<>();
        for (YamlTree volume : podSpec().get("volumes").items()) {
            assertTrue(declared.add(volume.get("name").text()), "volume declared twice: " + volume.path());
        }
        Set<String> mounted = new HashSet<>();
        Set<String> mountPaths = new HashSet<>();
        for (YamlTree container : containers()) {
            for (YamlTree mount : container.get("volumeMounts").items()) {
                String name = mount.get("name").text();
                assertTrue(declared.contains(name), mount.path() + ": no volume named " + name);
                assertTrue(mountPaths.add(mount.get("mountPath").text()), mount.path() + ": path mounted twice");
                mounted.add(name);
            }
        }
        assertEquals(declared, mounted, "every declared volume is mounted");
    }

    @Test
    void takesItsConfigMapKeysFromTheConfigMapItDeclares() {
        YamlTree configMap = byKind.get("ConfigMap");
        Set<String> keys = new HashSet<>();
        ((Map<?, ?>) configMap.get("data").value()).keySet().forEach(key -> keys.add((String) key));
        int configMapVolumes = 0;
        for (YamlTree volume : podSpec().get("volumes").items()) {
            if (!volume.has("configMap")) {
                continue;
            }
            configMapVolumes++;
            YamlTree source = volume.get("configMap");
            assertEquals(configMap.get("metadata").get("name").text(), source.get("name").text(), volume.path());
            for (YamlTree item : source.get("items").items()) {
                assertTrue(keys.contains(item.get("key").text()), item.path() + ": no such key in the ConfigMap");
            }
        }
        assertTrue(configMapVolumes > 0, "the configuration reaches the pod through the ConfigMap");
        assertEquals("/etc/virtsup", mountPathOf(volumeHolding("config.scm")),
                "virtsup reads /etc/virtsup/config.scm");
    }

    @Test
    void givesLibvirtTheNodesNamespacesAndPrivileges() {
        YamlTree pod = podSpec();
        assertTrue(pod.get("hostNetwork").flag(), "hostNetwork");
        assertTrue(pod.get("hostPID").flag(), "hostPID: guests must outlive the pod's pid namespace");
        YamlTree container = virtsupContainer();
        assertTrue(container.get("securityContext").get("privileged").flag(), "privileged");
        for (String path : List.of("/run/libvirt", "/var/lib/libvirt", "/var/log/libvirt", "/sys/fs/cgroup")) {
            assertEquals(path, hostPathMountedAt(path), "host path mounted at " + path);
        }
    }

    @Test
    void keepsTheImagesEntrypointSoVirtsupRunsAsTheContainersProcess() {
        YamlTree container = virtsupContainer();
        assertFalse(container.has("command"), "a command would replace 'virtsup run'");
        assertFalse(container.has("args"), "arguments would be appended to 'virtsup run'");
    }

    @Test
    void probesAskVirtsupStatus() {
        YamlTree container = virtsupContainer();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            List<String> command = container.get(probe).get("exec").get("command").texts();
            String joined = String.join(" ", command);
            assertTrue(joined.contains("/usr/bin/virtsup status"), probe + " runs virtsup status: " + command);
        }
        // Readiness is the plain command: exit 0 only when every daemon runs.
        assertEquals(List.of("/usr/bin/virtsup", "status"),
                container.get("readinessProbe").get("exec").get("command").texts());
    }

    @Test
    void gracePeriodOutlastsStoppingBothDaemons() {
        int grace = podSpec().get("terminationGracePeriodSeconds").integer();
        long stopTimeout = stopTimeoutSeconds();
        // libvirtd is stopped, then virtlogd: each may take the whole stop timeout.
        assertTrue(grace > 2 * stopTimeout,
                "terminationGracePeriodSeconds " + grace + " must exceed twice stop-timeout " + stopTimeout);
    }

    @Test
    void startupProbeWaitsForBothDaemonsToStart() {
        YamlTree probe = virtsupContainer().get("startupProbe");
        long budget = (long) probe.get("periodSeconds").integer() * probe.get("failureThreshold").integer();
        long startTimeout = configMapConfiguration().supervisor().startTimeout().toSeconds();
        // virtlogd is started, then libvirtd: each may take the whole start timeout.
        assertTrue(budget >= 2 * startTimeout,
                "startupProbe allows " + budget + " s, less than twice start-timeout " + startTimeout);
    }

    @Test
    void updatesANodeOnlyWhenItsPodIsDeleted() {
        assertEquals("OnDelete", daemonSetSpec().get("updateStrategy").get("type").text());
    }

    @Test
    void shipsAValidConfigurationSupervisingBothDaemons() {
        ConfigurationLoader.Loaded loaded = loadConfigMapConfiguration();
        assertEquals(List.of(), loaded.diagnostics(), "the ConfigMap's config.scm loads without a word");
        Configuration configuration = loaded.configuration().orElseThrow();
        assertTrue(configuration.libvirt().isPresent(), "libvirt-service-type declared");
        assertTrue(configuration.virtlog().isPresent(), "virtlog-service-type declared");
    }

    @Test
    void shipsAQemuConfLibvirtReadsWhole() throws IOException {
        QemuConfLens.require();
        String qemuConf = byKind.get("ConfigMap").get("data").get("qemu.conf").text();
        QemuConfLens.Parsed parsed = QemuConfLens.parse(qemuConf);
        assertFalse(parsed.failed(), "libvirt's lens refuses the ConfigMap's qemu.conf:\n" + parsed.report());
        for (String key : List.of("user", "group", "security_driver")) {
            assertTrue(parsed.report().contains("/qemu.conf/" + key + " = "), key + " in:\n" + parsed.report());
        }
    }

    @Test
    void scrapeAnnotationsPointAtTheConfiguredMetricsAddress() {
        String address = configMapConfiguration().supervisor().metricsAddress()
                .orElseGet(() -> fail("the ConfigMap sets no metrics-address: nothing would answer the scrapes"));
        String port = address.substring(address.lastIndexOf(':') + 1);
        YamlTree annotations = daemonSetSpec().get("template").get("metadata").get("annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape").text());
        assertEquals(port, annotations.get("prometheus.io/port").text(), "the annotated port is metrics-address's");
        assertEquals("/metrics", annotations.get("prometheus.io/path").text());
        assertTrue(virtsupContainer().get("ports").items().stream().anyMatch(p -> p.get("name").text().equals("metrics")
                && Integer.toString(p.get("containerPort").integer()).equals(port)), "the container declares the metrics port");
    }

    /** The stop-timeout virtsup applies with the ConfigMap's configuration. */
    private static long stopTimeoutSeconds() {
        return configMapConfiguration().supervisor().stopTimeout().toSeconds();
    }

    private static Configuration configMapConfiguration() {
        ConfigurationLoader.Loaded loaded = loadConfigMapConfiguration();
        return loaded.configuration()
                .orElseGet(() -> fail("the ConfigMap's config.scm is invalid: " + loaded.errors()));
    }

    private static ConfigurationLoader.Loaded loadConfigMapConfiguration() {
        YamlTree config = byKind.get("ConfigMap").get("data").get("config.scm");
        return ConfigurationLoader.load(config.path(), config.text(), "node-1");
    }

    private static YamlTree daemonSetSpec() {
        return byKind.get("DaemonSet").get("spec");
    }

    private static YamlTree podSpec() {
        return daemonSetSpec().get("template").get("spec");
    }

    private static List<YamlTree> containers() {
        List<YamlTree> all = new ArrayList<>(podSpec().get("containers").items());
        if (podSpec().has("initContainers")) {
            all.addAll(podSpec().get("initContainers").items());
        }
        return all;
    }

    private static YamlTree virtsupContainer() {
        return podSpec().get("containers").items().stream()
                .filter(container -> container.get("name").text().equals("virtsup"))
                .findFirst()
                .orElseGet(() -> fail("no container named virtsup"));
    }

    private static String volumeHolding(String key) {
        return podSpec().get("volumes").items().stream()
                .filter(volume -> volume.has("configMap"))
                .filter(volume -> volume.get("configMap").get("items").items().stream()
                        .anyMatch(item -> item.get("key").text().equals(key)))
                .map(volume -> volume.get("name").text())
                .findFirst()
                .orElseGet(() -> fail("no volume holds the ConfigMap key " + key));
    }

    private static String mountPathOf(String volumeName) {
        return virtsupContainer().get("volumeMounts").items().stream()
                .filter(mount -> mount.get("name").text().equals(volumeName))
                .map(mount -> mount.get("mountPath").text())
                .findFirst()
                .orElseGet(() -> fail("volume " + volumeName + " is not mounted"));
    }

    /** The node path of the hostPath volume mounted at {@code mountPath}. */
    private static String hostPathMountedAt(String mountPath) {
        String volumeName = virtsupContainer().get("volumeMounts").items().stream()
                .filter(mount -> mount.get("mountPath").text().equals(mountPath))
                .map(mount -> mount.get("name").text())
                .findFirst()
                .orElseGet(() -> fail("nothing mounted at " + mountPath));
        return podSpec().get("volumes").items().stream()
                .filter(volume -> volume.get("name").text().equals(volumeName))
                .map(volume -> volume.get("hostPath").get("path").text())
                .findFirst()
                .orElseGet(() -> fail("no volume " + volumeName));
    }
}

package org.virtsup.packaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The field names of the Kubernetes API objects the manifest uses (API
 * reference, core/v1 and apps/v1), to find a misspelt key: the API server
 * drops unknown fields with at most a warning, so "hostPid: true" would
 * quietly give the pod its own pid namespace. Only the types the manifest
 * uses are listed; a field of another type is reported as unknown, and then
 * belongs here.
 */
final class KubernetesFieldNames {

    /**
     * A type: its field names, and the type of those of its fields that are
     * objects or lists of objects whose keys are checked too (maps with free
     * keys, such as labels or data, are not).
     */
    private record Type(Set<String> fields, Map<String, String> children) {}

    private static final Map<String, Type> TYPES = Map.ofEntries(
            Map.entry("Namespace", new Type(Set.of("apiVersion", "kind", "metadata", "spec"),
                    Map.of("metadata", "ObjectMeta"))),
            Map.entry("ServiceAccount", new Type(Set.of("apiVersion", "kind", "metadata",
                    "automountServiceAccountToken", "imagePullSecrets", "secrets"), Map.of("metadata", "ObjectMeta"))),
            Map.entry("ConfigMap", new Type(Set.of("apiVersion", "kind", "metadata", "data", "binaryData", "immutable"),
                    Map.of("metadata", "ObjectMeta"))),
            Map.entry("DaemonSet", new Type(Set.of("apiVersion", "kind", "metadata", "spec"),
                    Map.of("metadata", "ObjectMeta", "spec", "DaemonSetSpec"))),
            Map.entry("ObjectMeta", new Type(Set.of("name", "namespace", "labels", "annotations", "generateName"),
                    Map.of())),
            Map.entry("DaemonSetSpec", new Type(Set.of("selector", "template", "updateStrategy", "minReadySeconds",
                    "revisionHistoryLimit"), Map.of("selector", "LabelSelector", "template", "PodTemplateSpec",
                    "updateStrategy", "DaemonSetUpdateStrategy"))),
            Map.entry("LabelSelector", new Type(Set.of("matchLabels", "matchExpressions"), Map.of())),
            Map.entry("DaemonSetUpdateStrategy", new Type(Set.of("type", "rollingUpdate"), Map.of())),
            Map.entry("PodTemplateSpec", new Type(Set.of("metadata", "spec"),
                    Map.of("metadata", "ObjectMeta", "spec", "PodSpec"))),
            Map.entry("PodSpec", new Type(Set.of("activeDeadlineSeconds", "affinity", "automountServiceAccountToken",
                    "containers", "dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases",
                    "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "imagePullSecrets", "initContainers",
                    "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy", "priority", "priorityClassName",
                    "readinessGates", "resourceClaims", "restartPolicy", "runtimeClassName", "schedulerName",
                    "schedulingGates", "securityContext", "serviceAccount", "serviceAccountName", "setHostnameAsFQDN",
                    "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "tolerations",
                    "topologySpreadConstraints", "volumes"),
                    Map.of("containers", "Container", "initContainers", "Container", "volumes", "Volume"))),
            Map.entry("Container", new Type(Set.of("args", "command", "env", "envFrom", "image", "imagePullPolicy",
                    "lifecycle", "livenessProbe", "name", "ports", "readinessProbe", "resizePolicy", "resources",
                    "restartPolicy", "securityContext", "startupProbe", "stdin", "stdinOnce", "terminationMessagePath",
                    "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts", "workingDir"),
                    Map.of("livenessProbe", "Probe", "readinessProbe", "Probe", "startupProbe", "Probe",
                            "securityContext", "SecurityContext", "volumeMounts", "VolumeMount",
                            "resources", "ResourceRequirements"))),
            Map.entry("Probe", new Type(Set.of("exec", "failureThreshold", "grpc", "httpGet", "initialDelaySeconds",
                    "periodSeconds", "successThreshold", "tcpSocket", "terminationGracePeriodSeconds", "timeoutSeconds"),
                    Map.of("exec", "ExecAction"))),
            Map.entry("ExecAction", new Type(Set.of("command"), Map.of())),
            Map.entry("SecurityContext", new Type(Set.of("allowPrivilegeEscalation", "appArmorProfile", "capabilities",
                    "privileged", "procMount", "readOnlyRootFilesystem", "runAsGroup", "runAsNonRoot", "runAsUser",
                    "seLinuxOptions", "seccompProfile", "windowsOptions"), Map.of())),
            Map.entry("ResourceRequirements", new Type(Set.of("claims", "limits", "requests"), Map.of())),
            Map.entry("VolumeMount", new Type(Set.of("mountPath", "mountPropagation", "name", "readOnly",
                    "recursiveReadOnly", "subPath", "subPathExpr"), Map.of())),
            Map.entry("Volume", new Type(Set.of("name", "configMap", "hostPath", "emptyDir", "secret", "projected",
                    "persistentVolumeClaim"), Map.of("configMap", "ConfigMapVolumeSource", "hostPath", "HostPathVolumeSource"))),
            Map.entry("ConfigMapVolumeSource", new Type(Set.of("defaultMode", "items", "name", "optional"),
                    Map.of("items", "KeyToPath"))),
            Map.entry("KeyToPath", new Type(Set.of("key", "mode", "path"), Map.of())),
            Map.entry("HostPathVolumeSource", new Type(Set.of("path", "type"), Map.of())));

    private KubernetesFieldNames() {}

    /** Every key of {@code tree} (of type {@code typeName}) and below that the type does not have. */
    static List<String> unknownFields(YamlTree tree, String typeName) {
        List<String> unknown = new ArrayList<>();
        walk(tree, typeName, unknown);
        return unknown;
    }

    private static void walk(YamlTree tree, String typeName, List<String> unknown) {
        Type type = TYPES.get(typeName);
        if (type == null) {
            unknown.add(tree.path() + " (type " + typeName + " is not listed in KubernetesFieldNames)");
            return;
        }
        if (tree.value() instanceof List<?>) {
            tree.items().forEach(item -> walk(item, typeName, unknown));
            return;
        }
        for (Object key : ((Map<?, ?>) tree.value()).keySet()) {
            String name = (String) key;
            if (!type.fields().contains(name)) {
                unknown.add(tree.path() + "." + name);
            } else if (type.children().containsKey(name)) {
                walk(tree.get(name), type.children().get(name), unknown);
            }
        }
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Validation;

namespace Chaos.Testing.Emulator;

/// <content>The objects every cluster starts with: the system namespaces and the nodes.</content>
public sealed partial class KubernetesEmulator
{
    // The objects every cluster starts with: the system namespaces and the nodes.
    private void Seed()
    {
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            var ns = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
            new Admission().Apply(ResourceTypes.Namespaces, ns);
            _store.Create(ResourceTypes.Namespaces, ns);
        }

        var now = _store.Now();
        for (var i = 1; i <= Options.NodeCount; i++)
        {
            var name = $"node-{i.ToString(CultureInfo.InvariantCulture)}";
            var node = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = new JsonObject
                    {
                        ["kubernetes.io/hostname"] = name,
                        ["kubernetes.io/os"] = "linux",
                        ["kubernetes.io/arch"] = "amd64",
                        ["beta.kubernetes.io/os"] = "linux",
                        ["beta.kubernetes.io/arch"] = "amd64",
                    },
                },
                ["spec"] = new JsonObject { ["podCIDR"] = $"10.42.{i.ToString(CultureInfo.InvariantCulture)}.0/24" },
                ["status"] = NodeStatus(i, now),
            };
            ObjectValidator.ValidateCreate(ResourceTypes.Nodes, node);
            _store.Create(ResourceTypes.Nodes, node);
        }
    }

    private static JsonObject NodeStatus(int index, string now)
    {
        JsonObject Condition(string type, string status, string reason, string message) => new()
        {
            ["type"] = type,
            ["status"] = status,
            ["lastHeartbeatTime"] = now,
            ["lastTransitionTime"] = now,
            ["reason"] = reason,
            ["message"] = message,
        };

        JsonObject Resources() => new() { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110", ["ephemeral-storage"] = "50Gi" };

        return new JsonObject
        {
            ["capacity"] = Resources(),
            ["allocatable"] = Resources(),
            ["conditions"] = new JsonArray(
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")),
            // TEST-NET-1 (RFC 5737) addresses: documentation only, nothing is ever sent to them.
            ["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = $"192.0.2.{(10 + index).ToString(CultureInfo.InvariantCulture)}" },
                new JsonObject { ["type"] = "Hostname", ["address"] = $"node-{index.ToString(CultureInfo.InvariantCulture)}" }),
            ["nodeInfo"] = new JsonObject
            {
                ["kubeletVersion"] = Discovery.KubernetesVersion,
                ["kubeProxyVersion"] = Discovery.KubernetesVersion,
                ["osImage"] = "Chaos.Testing emulated node",
                ["kernelVersion"] = "6.1.0",
                ["containerRuntimeVersion"] = "containerd://emulated",
                ["operatingSystem"] = "linux",
                ["architecture"] = "amd64",
                ["machineID"] = string.Empty,
                ["systemUUID"] = string.Empty,
                ["bootID"] = string.Empty,
            },
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
        };
    }
}

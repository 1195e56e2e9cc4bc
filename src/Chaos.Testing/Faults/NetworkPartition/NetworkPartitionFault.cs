using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>iptables DROP between the targets and their peers, rules tagged with the experiment id.</summary>
internal sealed class NetworkPartitionFault(NetworkPartitionOptions options) : PodPayloadFault, ICatalogFault
{
    public static FaultDescriptor Descriptor { get; } = PodPayloadDescriptor(
        "network-partition",
        "network-partition",
        t => t.Pods.Partition(o => o.Peers = t.Peers),
        PayloadProfile.TrafficShaping);

    public override FaultDescriptor Definition => Descriptor;

    public override string Verb => "partition";

    public override void Validate(ICollection<string> errors) => options.Validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, StartTimeout = options.StartTimeout, CleanupTimeout = options.CleanupTimeout };

    /// <summary>Resolves the peer pods to IPs (leaving the targets out) before anything is written.</summary>
    protected override async Task<object?> PrepareAsync(FaultContext context, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var targets = pods.Select(p => p.Status?.PodIP).Where(ip => ip is not null).ToHashSet(StringComparer.Ordinal);
        var ips = new List<string>(options.Cidrs);
        if (options.Peers is { } peers)
        {
            foreach (var ns in peers.Namespaces)
            {
                var list = await context.Api.CallAsync("list", "pods", ns,
                    ct => context.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: peers.LabelSelector, fieldSelector: peers.FieldSelector, cancellationToken: ct), cancellationToken);
                ips.AddRange(list.Items
                    .Where(p => p.Metadata.DeletionTimestamp is null && (peers.Names.IsEmpty || peers.Names.Contains(p.Metadata.Name)) && !peers.IsExcluded(p))
                    .Select(p => p.Status?.PodIP)
                    .Where(ip => !string.IsNullOrEmpty(ip) && !targets.Contains(ip))
                    .Select(ip => ip!));
            }
        }

        if (ips.Count == 0)
        {
            throw new InvalidOperationException($"the partition has no peer: {options.Peers} has no running pod with an IP besides the targets, and no Cidrs were given");
        }

        var resolved = ips.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        context.Recorder.Step("inject", $"partition peers: {string.Join(", ", resolved)}");
        return resolved;
    }

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared)
    {
        var peers = (IReadOnlyList<string>)prepared!;
        var direction = options.Direction switch
        {
            PartitionDirection.To => NetworkDirection.Egress,
            PartitionDirection.From => NetworkDirection.Ingress,
            _ => NetworkDirection.Both,
        };
        return new PayloadScript(tag).AddPartition(new PartitionFaultSpec(new NetworkFilter(peers), direction));
    }

    protected override string Describe(V1Pod pod) =>
        $"partitioned ({options.Direction.ToString().ToLowerInvariant()}) from {string.Join(", ", new[] { options.Peers?.ToString() }.Concat(options.Cidrs).Where(p => p is not null))}";
}

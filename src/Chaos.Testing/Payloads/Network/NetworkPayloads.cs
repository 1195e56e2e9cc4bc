namespace Chaos.Testing;

/// <summary>
/// Builds the network payloads (netem, tbf, partition) into a <see cref="PayloadScript"/>: install steps and the
/// idempotent cleanup steps that remove them, for the payload and for the early-recovery script alike. The script
/// runs in the pod's network namespace with NET_ADMIN; the caller creates it with the tag and renders it.
/// </summary>
/// <remarks>
/// Egress is shaped by the root qdisc of the interface; with a filter, a <c>prio</c> root sends the matching packets
/// (u32 filters) to a fourth band carrying the netem/tbf qdisc, everything else keeps the three default bands. Ingress
/// is redirected (an <c>ingress</c> qdisc with u32 + <c>mirred</c>, only the matching packets when filtered) to an
/// ifb device named after the tag, whose root qdisc is the netem/tbf one. One payload per pod and direction at a time:
/// a second one replaces the root qdisc of the first.
/// </remarks>
internal static partial class NetworkPayloads
{
    /// <summary>Adds a netem fault; loss alone falls back, at run time, to iptables <c>statistic</c> where netem is missing.</summary>
    public static PayloadScript AddNetem(this PayloadScript script, NetemFaultSpec spec)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        var iface = ValidInterface(spec.Interface, nameof(spec));
        var leaf = NetemArguments(spec.Effects, nameof(spec));
        var alternatives = spec.Filter is null || spec.Filter.IsEmpty ? null : spec.Filter.Alternatives(nameof(spec));
        foreach (var egress in Sides(spec.Direction))
        {
            var plan = egress ? EgressQdisc(iface, alternatives, leaf) : IngressQdisc(script.Tag, iface, alternatives, leaf);
            if (spec.Effects.IsLossOnly)
            {
                var rules = alternatives ?? [(null, null)];
                var specs = rules.Select(r => LossRule(script.Tag, iface, egress, r, spec.Effects.Loss!.Percent)).ToList();
                AddWithIptablesFallback(script, plan, specs, egress ? "egress" : "ingress");
            }
            else
            {
                Add(script, plan);
            }
        }

        return script;
    }

    /// <summary>Adds a bandwidth limit (tbf), for each direction its own bucket.</summary>
    public static PayloadScript AddBandwidth(this PayloadScript script, BandwidthFaultSpec spec)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        var iface = ValidInterface(spec.Interface, nameof(spec));
        var leaf = TbfArguments(spec.Limit, nameof(spec));
        var alternatives = spec.Filter is null || spec.Filter.IsEmpty ? null : spec.Filter.Alternatives(nameof(spec));
        foreach (var egress in Sides(spec.Direction))
        {
            Add(script, egress ? EgressQdisc(iface, alternatives, leaf) : IngressQdisc(script.Tag, iface, alternatives, leaf));
        }

        return script;
    }

    /// <summary>
    /// Adds a partition: iptables DROP rules to (OUTPUT) and/or from (INPUT) the peers, each tagged with the comment
    /// <c>chaos-&lt;tag&gt;</c>; the cleanup deletes exactly these rules (the same specs, until none is left).
    /// </summary>
    public static PayloadScript AddPartition(this PayloadScript script, PartitionFaultSpec spec)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.Peers, nameof(spec));
        if (spec.Peers.Cidrs is null || spec.Peers.Cidrs.Count == 0)
        {
            throw new ArgumentException("A partition needs at least one peer address or CIDR (0.0.0.0/0 for every peer).", nameof(spec));
        }

        _ = ValidInterface(spec.Interface, nameof(spec));
        var alternatives = spec.Peers.Alternatives(nameof(spec));
        foreach (var egress in Sides(spec.Direction))
        {
            foreach (var alternative in alternatives)
            {
                var rule = DropRule(script.Tag, egress, iface: null, alternative);
                script.Install(Iptables("-I", rule));
                script.Cleanup(DeleteAll(rule));
            }
        }

        return script;
    }

    /// <summary>
    /// The ifb device of the payload tagged <paramref name="tag"/>: <c>ifb-&lt;tag&gt;</c> when that fits the 15
    /// characters of an interface name, else <c>ifb-</c>, the tag's first 3 characters and 8 hex digits of its SHA-256.
    /// </summary>
    public static string IfbDevice(string tag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        if (tag.Length <= 11)
        {
            return "ifb-" + tag;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tag));
        return "ifb-" + tag[..3] + string.Concat(hash.Take(4).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The iptables comment carried by every rule of the payload tagged <paramref name="tag"/>.</summary>
    public static string RuleComment(string tag) => "chaos-" + tag;

    private static IEnumerable<bool> Sides(NetworkDirection direction) => direction switch
    {
        NetworkDirection.Egress => [true],
        NetworkDirection.Ingress => [false],
        NetworkDirection.Both => [true, false],
        _ => throw new ArgumentException($"Unknown direction {direction}.", nameof(direction)),
    };

    private static void Add(PayloadScript script, QdiscPlan plan)
    {
        foreach (var step in plan.Install)
        {
            script.Install(step);
        }

        AddCleanup(script, plan);
    }

    private static void AddCleanup(PayloadScript script, QdiscPlan plan)
    {
        // The script runs cleanup steps in reverse order of addition; the plan lists them in execution order.
        for (var i = plan.Cleanup.Count - 1; i >= 0; i--)
        {
            script.Cleanup(plan.Cleanup[i]);
        }
    }

    /// <summary>
    /// netem if the kernel has it, else iptables: one install step that tries the whole netem sequence and, when any of
    /// it fails, removes what it set up and inserts the iptables rules instead. The cleanup removes both kinds (each
    /// idempotent), since the early-recovery script cannot know which one the payload installed.
    /// </summary>
    private static void AddWithIptablesFallback(PayloadScript script, QdiscPlan plan, IReadOnlyList<string[]> rules, string side)
    {
        var tryNetem = string.Join(" && ", plan.Install.Select(Shell.Join));
        var undo = string.Concat(plan.Cleanup.Select(argv => Shell.Join(argv) + " >/dev/null 2>&1; "));
        var insert = string.Join(" && ", rules.Select(rule => Shell.Join(Iptables("-I", rule))));
        script.Install(ShellStep.Fragment(
            $"if {{ {tryNetem}; }} >/dev/null 2>&1; then echo 'chaos: {side} loss via netem'; " +
            $"else {undo}echo 'chaos: netem unavailable, {side} loss via iptables statistic'; {insert}; fi"));
        AddCleanup(script, plan);
        foreach (var rule in rules)
        {
            script.Cleanup(DeleteAll(rule));
        }
    }

    /// <summary>Install and cleanup commands of one direction, the cleanup in the order it runs.</summary>
    private sealed record QdiscPlan(IReadOnlyList<string[]> Install, IReadOnlyList<string[]> Cleanup);
}

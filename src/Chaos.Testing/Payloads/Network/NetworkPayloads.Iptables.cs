using System.Globalization;

namespace Chaos.Testing;

/// <summary>The iptables rules: partitions and the loss fallback, every rule tagged with the payload's comment.</summary>
internal static partial class NetworkPayloads
{
    /// <summary>
    /// A DROP rule spec (the arguments after <c>-I</c>/<c>-D</c>): chain, interface, the filter alternative (destination
    /// for OUTPUT, source for INPUT), <paramref name="matches"/>, the comment.
    /// </summary>
    private static string[] DropRule(string tag, bool egress, string? iface, (string? Cidr, (string Protocol, int Port)? Port) alternative, params string[] matches)
    {
        var rule = new List<string> { egress ? "OUTPUT" : "INPUT" };
        if (iface is not null)
        {
            rule.AddRange([egress ? "-o" : "-i", iface]);
        }

        if (alternative.Cidr is not null)
        {
            rule.AddRange([egress ? "-d" : "-s", alternative.Cidr]);
        }

        if (alternative.Port is { } port)
        {
            rule.AddRange(["-p", port.Protocol, egress ? "--dport" : "--sport", port.Port.ToString(CultureInfo.InvariantCulture)]);
        }

        var comment = RuleComment(tag);
        if (comment.Length > 256)
        {
            throw new ArgumentException($"The tag is too long for an iptables comment (256 characters): {tag.Length} characters.", nameof(tag));
        }

        rule.AddRange(matches);
        rule.AddRange(["-m", "comment", "--comment", comment, "-j", "DROP"]);
        return [.. rule];
    }

    /// <summary>The loss fallback rule: drop with probability percent/100 (iptables <c>statistic</c>, random mode).</summary>
    private static string[] LossRule(string tag, string iface, bool egress, (string? Cidr, (string Protocol, int Port)? Port) alternative, double percent)
    {
        var probability = (percent / 100).ToString("0.########", CultureInfo.InvariantCulture);
        return DropRule(tag, egress, iface, alternative, "-m", "statistic", "--mode", "random", "--probability", probability);
    }

    /// <summary>
    /// <c>iptables -w 5 &lt;op&gt; &lt;rule&gt;</c>: waits for the xtables lock (legacy iptables) instead of failing at
    /// once, but at most 5 s, so a stuck lock holder cannot hang the cleanup.
    /// </summary>
    private static string[] Iptables(string operation, string[] rule) => ["iptables", "-w", "5", operation, .. rule];

    /// <summary>Deletes every copy of the rule (an identical spec), so a rule inserted twice is gone too; never fails.</summary>
    private static ShellStep DeleteAll(string[] rule) =>
        ShellStep.Fragment($"while {Shell.Join(Iptables("-D", rule))} 2>/dev/null; do :; done");
}

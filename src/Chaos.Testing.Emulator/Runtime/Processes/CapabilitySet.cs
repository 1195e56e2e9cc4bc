using System.Globalization;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// A set of Linux capabilities, by name (<c>NET_ADMIN</c>, without the <c>CAP_</c> prefix). Immutable. Built the way
/// containerd builds a container's set from its security context.
/// </summary>
internal sealed class CapabilitySet
{
    /// <summary>The capabilities Linux knows, by bit number.</summary>
    internal static readonly IReadOnlyList<string> Known =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ];

    private static readonly Dictionary<string, int> BitOf = Known.Select((name, bit) => (name, bit)).ToDictionary(k => k.name, k => k.bit, StringComparer.Ordinal);

    private CapabilitySet(ulong mask)
    {
        Mask = mask;
        Names = Enumerable.Range(0, Known.Count).Where(bit => (mask & (1UL << bit)) != 0).Select(bit => Known[bit]).ToList();
    }

    /// <summary>Gets containerd's default set: what a container without a security context keeps.</summary>
    public static CapabilitySet Default { get; } = Of(
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE");

    /// <summary>Gets every capability (a privileged container's set).</summary>
    public static CapabilitySet All { get; } = new((1UL << Known.Count) - 1);

    /// <summary>Gets the empty set.</summary>
    public static CapabilitySet None { get; } = new(0);

    /// <summary>Gets the names, upper case without <c>CAP_</c>, in bit order.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>Gets the set as a bit mask, as <c>/proc/&lt;pid&gt;/status</c> shows <c>CapEff</c>.</summary>
    public ulong Mask { get; }

    /// <summary>The set of the named capabilities; unknown names are left out.</summary>
    /// <param name="names">Names with or without <c>CAP_</c>, any case.</param>
    /// <returns>The set.</returns>
    public static CapabilitySet Of(params IEnumerable<string> names) =>
        new(names.Select(Bit).Where(bit => bit >= 0).Aggregate(0UL, (mask, bit) => mask | (1UL << bit)));

    /// <summary>The set of a mask, e.g. the hexadecimal <c>CapEff</c> of <c>/proc/&lt;pid&gt;/status</c>.</summary>
    /// <param name="hex">The mask in hexadecimal.</param>
    /// <returns>The set of the known bits.</returns>
    public static CapabilitySet FromHex(string hex) =>
        new(ulong.Parse(hex.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & All.Mask);

    /// <summary>
    /// The set a container with <paramref name="securityContext"/> runs with, as containerd computes it: privileged
    /// gets all; otherwise the default set, then <c>add: [ALL]</c> makes it all and <c>drop: [ALL]</c> empty, then
    /// the other names in <c>add</c> are added and those in <c>drop</c> removed.
    /// </summary>
    /// <param name="securityContext">The container's <c>securityContext</c>, or <see langword="null"/>.</param>
    /// <returns>The set.</returns>
    public static CapabilitySet FromSecurityContext(JsonObject? securityContext)
    {
        if (securityContext?["privileged"] is JsonValue privileged && privileged.TryGetValue<bool>(out var yes) && yes)
        {
            return All;
        }

        var add = NamesIn(securityContext?["capabilities"]?["add"]);
        var drop = NamesIn(securityContext?["capabilities"]?["drop"]);
        var mask = Default.Mask;
        if (add.Contains("ALL"))
        {
            mask = All.Mask;
        }

        if (drop.Contains("ALL"))
        {
            mask = 0;
        }

        mask |= Of(add).Mask;
        mask &= ~Of(drop).Mask;
        return new CapabilitySet(mask);
    }

    /// <summary>Whether the set holds the named capability.</summary>
    /// <param name="name">A name with or without <c>CAP_</c>, any case.</param>
    /// <returns>Whether it is in the set.</returns>
    public bool Contains(string name) => Bit(name) is var bit && bit >= 0 && (Mask & (1UL << bit)) != 0;

    /// <summary>The capabilities in both sets.</summary>
    /// <param name="other">The other set.</param>
    /// <returns>The intersection.</returns>
    public CapabilitySet Intersect(CapabilitySet other) => new(Mask & other.Mask);

    /// <inheritdoc/>
    public override string ToString() => Mask == 0 ? "(none)" : string.Join(',', this.Names);

    private static int Bit(string name)
    {
        var upper = name.Trim().ToUpperInvariant();
        var bare = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper[4..] : upper;
        return BitOf.GetValueOrDefault(bare, -1);
    }

    private static HashSet<string> NamesIn(JsonNode? list) =>
        (list as JsonArray ?? []).Select(n => n?.ToString().Trim().ToUpperInvariant() ?? string.Empty)
            .Select(n => n.StartsWith("CAP_", StringComparison.Ordinal) ? n[4..] : n)
            .ToHashSet(StringComparer.Ordinal);
}

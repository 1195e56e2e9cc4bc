namespace Chaos.Testing;

/// <summary>
/// A payload image and the tools its published build provides, as read in its build recipe (<see cref="CheckedAt"/>).
/// <see cref="Tools"/> lists the tools whose presence was checked there, not every file of the image.
/// </summary>
/// <param name="Reference">The image reference, without a registry host.</param>
/// <param name="CheckedAt">Where the tools were read: repository, path, tag or commit.</param>
/// <param name="Tools">The programs on its <c>PATH</c> that the payloads may call.</param>
internal sealed record PayloadImage(string Reference, string CheckedAt, IReadOnlySet<string> Tools);

/// <summary>
/// The tool contract of the default payload images: what each default image provides (from its published build) and
/// which tools each payload fault's scripts (install, hold, cleanup, early-recovery cleanup) call. A test renders every
/// fault's scripts, extracts the commands they call and checks them against both; the fault docs pages list the same.
/// </summary>
internal static class PayloadImages
{
    /// <summary>The applets of BusyBox (<c>defconfig</c> and Alpine's <c>busyboxconfig</c> alike) that the payloads use.</summary>
    private static readonly string[] BusyBoxApplets =
        ["sh", "cat", "cut", "dd", "grep", "head", "kill", "mkdir", "pgrep", "pkill", "rm", "rmdir", "sed", "sleep", "stat", "tr"];

    /// <summary>
    /// Gets <c>nicolaka/netshoot:v0.13</c>: Alpine 3.19.1 (BusyBox) plus, by <c>apk add</c>, <c>bash</c>, <c>iproute2</c>
    /// (<c>ip</c>, <c>tc</c>), <c>iptables</c> (<c>iptables</c>, <c>iptables-save</c>), <c>py3-pip</c> and <c>scapy</c>
    /// (both depend on <c>python3</c>), <c>util-linux</c> (<c>fallocate</c>), <c>curl</c>.
    /// </summary>
    public static PayloadImage Netshoot { get; } = new(
        NetworkFaultOptions.DefaultImage,
        "nicolaka/netshoot, Dockerfile at tag v0.13 (commit e1fbbfa); BusyBox applets: alpinelinux/aports main/busybox/busyboxconfig",
        Set([.. BusyBoxApplets, "bash", "ip", "tc", "iptables", "iptables-save", "python3", "fallocate", "curl"]));

    /// <summary>
    /// Gets <c>busybox:1.36</c>: the official image's default (glibc) variant of BusyBox 1.36.1, built with
    /// <c>make defconfig</c> and <c>busybox --install /bin</c>. Its <c>ip</c> and <c>tc</c> applets are left out: they
    /// lack what the network payloads use (netem, tbf, ifb, u32).
    /// </summary>
    public static PayloadImage BusyBox { get; } = new(
        DiskFillOptions.DefaultImage,
        "docker-library/busybox, latest-1/glibc/Dockerfile.builder at commit c7624fc (1.36.1, make defconfig); applet defaults: mirror/busybox at tag 1_36_1",
        Set([.. BusyBoxApplets, "fallocate"]));

    /// <summary>
    /// Gets the stress image: stress-ng's own image (its author's Dockerfile) at release V0.18.10, the last one built
    /// <c>FROM alpine:3</c>: <c>/usr/bin/stress-ng</c> on <c>PATH</c> and Alpine's BusyBox (<c>sh</c>, <c>pgrep</c>,
    /// <c>pkill</c>, <c>sed</c>, ...). Later releases are built on Debian, whose base image has no <c>pgrep</c>/<c>pkill</c>.
    /// </summary>
    public static PayloadImage StressNg { get; } = new(
        StressFaultOptions.DefaultImage,
        "ColinIanKing/stress-ng, Dockerfile at tag V0.18.10 (commit e00c355b8e9a, FROM alpine:3; make install to /usr/bin), published by .github/workflows/container-image-*.yml under the commit id; BusyBox applets: alpinelinux/aports main/busybox/busyboxconfig",
        Set([.. BusyBoxApplets, "stress-ng"]));

    /// <summary>Gets every default payload image.</summary>
    public static IReadOnlyList<PayloadImage> All { get; } = [Netshoot, BusyBox, StressNg];

    /// <summary>
    /// Gets, for each payload fault (by catalog name), its default image and the tools its scripts call: the payload
    /// (<c>sh -c</c>) in every variant of its options, and its early-recovery cleanup. <c>sh</c> runs the script.
    /// </summary>
    public static IReadOnlyDictionary<string, (PayloadImage Image, IReadOnlySet<string> Calls)> Faults { get; } =
        new Dictionary<string, (PayloadImage, IReadOnlySet<string>)>(StringComparer.Ordinal)
        {
            ["network-delay"] = (Netshoot, Set(NetworkCalls)),
            ["packet-loss"] = (Netshoot, Set(NetworkCalls)),
            ["packet-corruption"] = (Netshoot, Set(NetworkCalls)),
            ["packet-duplication"] = (Netshoot, Set(NetworkCalls)),
            ["bandwidth"] = (Netshoot, Set(NetworkCalls)),
            ["network-partition"] = (Netshoot, Set(NetworkCalls)),
            ["dns-chaos"] = (Netshoot, Set(ProxyCalls)),
            ["http-chaos"] = (Netshoot, Set(ProxyCalls)),
            ["cpu-stress"] = (StressNg, Set(StressCalls)),
            ["memory-stress"] = (StressNg, Set([.. StressCalls, "sed"])),
            ["node-cpu-stress"] = (StressNg, Set(StressCalls)),
            ["disk-fill"] = (BusyBox, Set(FillCalls)),
            ["node-disk-fill"] = (BusyBox, Set(FillCalls)),
            ["container-kill"] = (BusyBox, Set(["sh", "cat", "sed", "sleep", "pgrep", "rmdir", "tr", "cut"])),
        };

    /// <summary>Traffic shaping and filtering, and the cleanup that removes qdiscs, the ifb link and tagged rules.</summary>
    private static string[] NetworkCalls => ["sh", "tc", "ip", "iptables", "iptables-save", "grep", "sed", "sleep", "head", "tr", "pgrep"];

    /// <summary>The Python proxies (DNS, HTTP), their tagged iptables rules, their stop, and the cleanup of those rules.</summary>
    private static string[] ProxyCalls => ["sh", "python3", "iptables", "iptables-save", "grep", "sed", "sleep", "tr", "pgrep", "pkill"];

    /// <summary>stress-ng, its tag directory, the processes' stop, and the cleanup's process check (memory stress reads MemTotal with sed too).</summary>
    private static string[] StressCalls => ["sh", "stress-ng", "mkdir", "rmdir", "pgrep", "pkill", "sleep", "tr", "cut"];

    /// <summary>The fill (statfs, fallocate or dd), its removal, and the cleanup's check.</summary>
    private static string[] FillCalls => ["sh", "stat", "rm", "rmdir", "fallocate", "dd", "pgrep", "sleep", "tr", "cut"];

    /// <summary>The image of <paramref name="reference"/> among the default images, or null.</summary>
    public static PayloadImage? Find(string reference) => All.FirstOrDefault(i => i.Reference == reference);

    private static HashSet<string> Set(IEnumerable<string> tools) => new(tools, StringComparer.Ordinal);
}

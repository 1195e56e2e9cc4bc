namespace Chaos.Testing.Tests.Support;

/// <summary>
/// Two network namespaces joined by a veth pair: "pod" (10.201.N.1, where a payload runs as it would in a pod's
/// network namespace) and "peer" (10.201.N.2). Unique names per instance; everything is deleted on dispose.
/// </summary>
public sealed class NetnsPair : IDisposable
{
    private static int _next = Environment.ProcessId % 200;

    public NetnsPair()
    {
        var n = Interlocked.Increment(ref _next) % 250;
        Suffix = $"{Environment.ProcessId % 10000}x{n}";
        Pod = $"ctpod{Suffix}";
        Peer = $"ctpeer{Suffix}";
        PodIp = $"10.201.{n}.1";
        PeerIp = $"10.201.{n}.2";
        PodInterface = "eth0";
        PayloadEnvironment.Run("ip", "netns", "add", Pod);
        PayloadEnvironment.Run("ip", "netns", "add", Peer);
        PayloadEnvironment.Run("ip", "link", "add", $"vp{Suffix}", "type", "veth", "peer", "name", $"vq{Suffix}");
        PayloadEnvironment.Run("ip", "link", "set", $"vp{Suffix}", "netns", Pod);
        PayloadEnvironment.Run("ip", "link", "set", $"vq{Suffix}", "netns", Peer);
        Exec(Pod, "ip", "link", "set", $"vp{Suffix}", "name", "eth0");
        Exec(Peer, "ip", "link", "set", $"vq{Suffix}", "name", "eth0");
        foreach (var (ns, ip) in new[] { (Pod, PodIp), (Peer, PeerIp) })
        {
            Exec(ns, "ip", "addr", "add", $"{ip}/24", "dev", "eth0");
            Exec(ns, "ip", "link", "set", "eth0", "up");
            Exec(ns, "ip", "link", "set", "lo", "up");
        }
    }

    public string Suffix { get; }

    /// <summary>Gets the namespace where payloads run (the "pod").</summary>
    public string Pod { get; }

    public string Peer { get; }

    public string PodIp { get; }

    public string PeerIp { get; }

    /// <summary>Gets the pod side's interface name (<c>eth0</c>, as in a pod).</summary>
    public string PodInterface { get; }

    /// <summary>Runs a command inside a namespace and returns its stdout.</summary>
    public static string Exec(string ns, string program, params string[] args) =>
        PayloadEnvironment.Run("ip", ["netns", "exec", ns, program, .. args]);

    public void Dispose()
    {
        foreach (var ns in new[] { Pod, Peer })
        {
            try
            {
                PayloadEnvironment.Run("ip", "netns", "delete", ns);
            }
            catch (InvalidOperationException)
            {
                // Already gone; deleting a namespace also deletes its end of the veth pair.
            }
        }
    }
}

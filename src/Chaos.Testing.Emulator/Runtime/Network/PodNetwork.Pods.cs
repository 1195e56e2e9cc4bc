using System.Globalization;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>The pods of a <see cref="PodNetwork"/>: their namespaces, veth pairs, addresses and resolver files.</summary>
internal sealed partial class PodNetwork
{
    private readonly Dictionary<string, PodSandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly HashSet<uint> _hostsInUse = [];
    private uint _nextHost;
    private int _lastPod;
    private int _creating;

    /// <summary>Gets the pods that have a sandbox now.</summary>
    public IReadOnlyList<PodSandbox> Sandboxes
    {
        get
        {
            lock (_gate)
            {
                return [.. _sandboxes.Values];
            }
        }
    }

    /// <summary>
    /// Creates the network of a pod: a namespace with <c>lo</c> and <c>eth0</c> up, an address from
    /// <see cref="PodRange"/>, the default route via <see cref="Gateway"/>, and the files <c>ip netns exec</c> mounts
    /// over <c>/etc</c>: <c>resolv.conf</c> (this network's DNS server, the search path of <paramref name="podNamespace"/>,
    /// <c>ndots:5</c>, as the kubelet writes it) and <c>hosts</c> (localhost and <paramref name="podName"/>).
    /// Two <c>ip</c> processes do it all, so it takes milliseconds.
    /// </summary>
    public PodSandbox AddPod(string podKey, string podNamespace, string podName)
    {
        ArgumentException.ThrowIfNullOrEmpty(podKey);
        if (!Label().IsMatch(podNamespace ?? string.Empty))
        {
            throw new ArgumentException($"'{podNamespace}' is not a namespace name (a DNS label: lowercase letters, digits and '-', at most 63).", nameof(podNamespace));
        }

        if ((podName ?? string.Empty).Length > 253 || !Subdomain().IsMatch(podName ?? string.Empty))
        {
            throw new ArgumentException($"'{podName}' is not a pod name (lowercase letters, digits, '-' and '.', at most 253).", nameof(podName));
        }

        int number;
        uint host;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_lastPod >= NetworkNames.MaxPodNumber)
            {
                throw new InvalidOperationException($"Pod network {RunId} has created {NetworkNames.MaxPodNumber} sandboxes, as many as interface names allow: create a new network.");
            }

            number = ++_lastPod;
            host = AllocateHost();
            _creating++;
        }

        var netns = NetworkNames.Netns(RunId, number);
        var sandbox = new PodSandbox(podKey, netns, $"/run/netns/{netns}", _pods.At(host), NetworkNames.HostVeth(RunId, number));
        try
        {
            WriteFiles(netns, podNamespace!, podName!, sandbox);
            HostCommand.Run(
                "ip",
                ["-batch", "-"],
                $"netns add {netns}\n" +
                $"link add {sandbox.HostInterface} type veth peer name eth0 netns {netns}\n" +
                $"link set {sandbox.HostInterface} master {Bridge} up\n" +
                // Hairpin, as the kubelet sets it: with br_netfilter, a pod calling a service whose endpoint is
                // itself gets its packet back through the port it came in by, which a bridge refuses otherwise.
                $"link set {sandbox.HostInterface} type bridge_slave hairpin on\n");
            HostCommand.Run(
                "ip",
                ["-n", netns, "-batch", "-"],
                $"addr add {sandbox.Ip}/{_pods.PrefixLength.ToString(CultureInfo.InvariantCulture)} dev eth0\n" +
                "link set lo up\n" +
                "link set eth0 up\n" +
                $"route add default via {Gateway}\n");
        }
        catch
        {
            RemovePieces(sandbox);
            lock (_gate)
            {
                _hostsInUse.Remove(host);
                _creating--;
                Monitor.PulseAll(_gate);
            }

            throw;
        }

        lock (_gate)
        {
            _sandboxes[netns] = sandbox;
            _creating--;
            Monitor.PulseAll(_gate);
        }

        return sandbox;
    }

    /// <summary>
    /// Removes a pod's network: its veth pair (even while a process still holds the namespace), the namespace and its
    /// files, and frees its address. Idempotent: a sandbox already removed, or removed with the network, is no error.
    /// </summary>
    public void RemovePod(PodSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        lock (_gate)
        {
            if (_disposed || !_sandboxes.TryGetValue(sandbox.NetnsName, out var known) || known != sandbox)
            {
                return;
            }
        }

        var problems = RemovePieces(sandbox);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The sandbox of pod {sandbox.PodKey} could not be removed: {string.Join("; ", problems)}");
        }

        lock (_gate)
        {
            if (_sandboxes.Remove(sandbox.NetnsName))
            {
                _hostsInUse.Remove(Ipv4Range.ToNumber(sandbox.Ip) - _pods.Network);
            }
        }
    }

    /// <summary>
    /// The next free host number after the last one given (next fit): an address is used again only after the range
    /// has gone round once, so that a neighbour's stale ARP entry for a removed pod has long expired.
    /// </summary>
    private uint AllocateHost()
    {
        var last = (uint)(_pods.Size - 2); // the broadcast address is not a host
        for (var tried = 0u; tried < last - 1; tried++)
        {
            var candidate = _nextHost;
            _nextHost = _nextHost >= last ? 2 : _nextHost + 1;
            if (_hostsInUse.Add(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Pod network {RunId} has no free address left in {PodRange}: remove pods, or create the network with a larger PodRange.");
    }

    private void WriteFiles(string netns, string podNamespace, string podName, PodSandbox sandbox)
    {
        var folder = Directory.CreateDirectory(Path.Combine(RunPieces.NamespaceEtc, netns)).FullName;
        File.WriteAllText(
            Path.Combine(folder, "resolv.conf"),
            $"nameserver {Gateway}\n" +
            $"search {podNamespace}.svc.{ClusterDomain} svc.{ClusterDomain} {ClusterDomain}\n" +
            "options ndots:5\n");
        File.WriteAllText(
            Path.Combine(folder, "hosts"),
            "# Kubernetes-managed hosts file (chaos testing emulator).\n" +
            "127.0.0.1\tlocalhost\n" +
            "::1\tlocalhost ip6-localhost ip6-loopback\n" +
            "fe00::0\tip6-localnet\n" +
            "fe00::0\tip6-mcastprefix\n" +
            "fe00::1\tip6-allnodes\n" +
            "fe00::2\tip6-allrouters\n" +
            $"{sandbox.Ip}\t{podName}\n");
    }

    /// <summary>Removes a sandbox's veth pair, namespace and files; returns what is still there, with why.</summary>
    private static List<string> RemovePieces(PodSandbox sandbox)
    {
        var problems = new List<string>();
        var link = Path.Combine("/sys/class/net", sandbox.HostInterface);
        if (Directory.Exists(link) || File.Exists(sandbox.NetnsPath))
        {
            // The veth first: it takes its peer along at once, while a namespace is destroyed only when its last
            // process has left it.
            var result = HostCommand.TryRun("ip", ["-force", "-batch", "-"], $"link del {sandbox.HostInterface}\nnetns del {sandbox.NetnsName}\n");
            if (Directory.Exists(link))
            {
                problems.Add($"interface {sandbox.HostInterface}: {result.Error.Trim()}");
            }

            if (File.Exists(sandbox.NetnsPath))
            {
                problems.Add($"namespace {sandbox.NetnsName}: {result.Error.Trim()}");
            }
        }

        try
        {
            Directory.Delete(Path.Combine(RunPieces.NamespaceEtc, sandbox.NetnsName), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never written, or gone already.
        }

        return problems;
    }

    [GeneratedRegex(@"\A[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\z")]
    private static partial Regex Label();

    [GeneratedRegex(@"\A[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex Subdomain();
}

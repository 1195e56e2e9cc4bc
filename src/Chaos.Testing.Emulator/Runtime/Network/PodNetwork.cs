using System.Globalization;
using System.Net;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// The network of one emulator's real pods: a Linux bridge with the pods' veth pairs, a pod range and a service range
/// of their own, iptables chains of their own (filter: nothing passes between the bridge and another interface; nat:
/// ClusterIPs translated to endpoints), and a DNS server on the bridge address. Several networks live side by side,
/// in one process and in several, each with distinct ranges and names (<c>cte</c> + <see cref="RunId"/>). Everything
/// it creates is removed on <see cref="Dispose"/>; what a killed process left behind is removed by
/// <see cref="RemoveLeftovers"/>, which <see cref="Create"/> runs first.
/// </summary>
internal sealed partial class PodNetwork : IDisposable
{
    /// <summary>The cluster domain: service names are <c>&lt;service&gt;.&lt;namespace&gt;.svc.cluster.local</c>.</summary>
    public const string ClusterDomain = "cluster.local";

    private readonly object _gate = new();
    private readonly object _rulesGate = new();
    private readonly Ipv4Range _pods;
    private readonly Ipv4Range _services;
    private DnsServer? _dns;
    private bool _disposed;

    private PodNetwork(string run, Ipv4Range pods, Ipv4Range services)
    {
        RunId = run;
        _pods = pods;
        _services = services;
        _nextHost = 2; // .0 is the network, .1 the gateway
        Gateway = pods.At(1);
    }

    /// <summary>Gets the run id: six lowercase letters and digits, part of every name this network creates.</summary>
    public string RunId { get; }

    /// <summary>Gets the bridge's address: the pods' default route and DNS server.</summary>
    public IPAddress Gateway { get; }

    /// <summary>Gets the bridge's name (<c>cte&lt;run&gt;</c>).</summary>
    public string Bridge => NetworkNames.Bridge(RunId);

    /// <summary>Gets the CIDR pods get their addresses from, e.g. <c>10.213.4.0/22</c>.</summary>
    public string PodRange => _pods.ToString();

    /// <summary>Gets the CIDR the API should allocate ClusterIPs from for this network, e.g. <c>10.214.4.0/24</c>.</summary>
    public string ServiceRange => _services.ToString();

    /// <summary>
    /// Creates a network: checks the machine (Linux, root, tools), removes leftovers of dead runs, chooses the ranges,
    /// creates the bridge, its iptables rules and its DNS server. Throws <see cref="PodNetworkUnavailableException"/>,
    /// saying what is missing and how to fix it, when the machine cannot have one.
    /// </summary>
    public static PodNetwork Create(PodNetworkSettings? settings = null)
    {
        settings ??= new PodNetworkSettings();
        ThrowIfUnavailable();
        PodNetwork network;
        using (RunDirectory.Lock())
        {
            RemoveLeftoversLocked();
            var (pods, services) = RangePlanner.Choose(settings);
            var run = NetworkNames.NewRunId();
            while (!RunDirectory.TryCreate(run, pods, services))
            {
                run = NetworkNames.NewRunId();
            }

            network = new PodNetwork(run, pods, services);
            try
            {
                // Under the lock: once the bridge and its routes exist, the next network sees the ranges as routes.
                network.CreateBridge();
            }
            catch
            {
                RunPieces.Remove(run);
                throw;
            }
        }

        try
        {
            network.Start();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the pieces of pod networks whose owner process is dead (or that have no owner and are older than a
    /// minute): interfaces, namespaces, files, iptables chains and state folders. Returns a line per piece removed,
    /// and a line starting with "could not remove" per piece that is still there.
    /// </summary>
    public static IReadOnlyList<string> RemoveLeftovers()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || !Directory.Exists(RunDirectory.Root))
        {
            return [];
        }

        using (RunDirectory.Lock())
        {
            return RemoveLeftoversLocked();
        }
    }

    /// <summary>
    /// Replaces every service rule with <paramref name="services"/>, in one <c>iptables-restore</c> transaction per
    /// table. Every ClusterIP must lie in <see cref="ServiceRange"/>.
    /// </summary>
    public void SetServices(IReadOnlyList<ServiceRoute> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var seen = new HashSet<(IPAddress, int, string)>();
        foreach (var service in services)
        {
            FirewallScripts.Validate(service, _services);
            if (!seen.Add((service.ClusterIp, service.Port, service.Protocol.ToUpperInvariant())))
            {
                throw new ArgumentException($"Service {service.ClusterIp}:{service.Port}/{service.Protocol} is listed twice.", nameof(services));
            }
        }

        var script = FirewallScripts.Services(RunId, services);
        lock (_rulesGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RunPieces.Restore(script);
        }
    }

    /// <summary>Replaces the DNS table: fully qualified names (lowercase, no trailing dot) to their addresses.</summary>
    public void SetDnsRecords(IReadOnlyDictionary<string, IPAddress[]> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _dns!.SetRecords(records);
    }

    /// <summary>
    /// Removes every namespace, interface, chain, rule and file of this network and stops its DNS server. Idempotent;
    /// a piece already gone is no error. Throws only when a piece is still there after the attempt (the message says
    /// which and why); a later <see cref="RemoveLeftovers"/> retries it.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_creating > 0)
            {
                Monitor.Wait(_gate); // a sandbox being created must exist before the teardown looks for pieces
            }
        }

        lock (_rulesGate)
        {
            // Waits for a service update in progress.
        }

        _dns?.Dispose();
        var (_, problems) = RunPieces.Remove(RunId);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Pod network {RunId} could not remove everything (PodNetwork.RemoveLeftovers retries once this process has exited):" +
                $"{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", problems)}");
        }
    }

    private static void ThrowIfUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PodNetworkUnavailableException(
                $"Real pods need Linux, but this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}: their network is made of network namespaces, a bridge and iptables. " +
                "Run the tests on Linux (a container or VM will do), or use the simulated kubelet.");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new PodNetworkUnavailableException(
                "Real pods need root (CAP_NET_ADMIN): creating network namespaces, a bridge and iptables rules is privileged. " +
                "Run the tests as root (sudo -E dotnet test, or a container running as root), or use the simulated kubelet.");
        }

        var missing = HostCommand.Tools.Where(t => HostCommand.Find(t.Tool) is null).ToList();
        if (missing.Count > 0)
        {
            throw new PodNetworkUnavailableException(
                $"Real pods need {string.Join(", ", missing.Select(t => t.Tool))}, which {(missing.Count == 1 ? "is" : "are")} not on PATH or in /usr/sbin: " +
                "the pod network is created with them. " +
                $"Install {string.Join(" and ", missing.Select(t => t.Package).Distinct())} (apt-get install {string.Join(' ', missing.Select(t => t.Package).Distinct())}).");
        }
    }

    private static List<string> RemoveLeftoversLocked()
    {
        // Pieces first, owners second: a run that starts after the pieces were listed has none of them in the list.
        var saved = RunPieces.SaveFirewall();
        var lines = new List<string>();
        foreach (var run in RunPieces.FindRuns(saved))
        {
            if (RunDirectory.WhyAbandoned(run) is { } why)
            {
                var (removed, problems) = RunPieces.Remove(run, saved);
                lines.AddRange(removed.Select(r => $"removed {r} of pod network {run}: {why}"));
                lines.AddRange(problems.Select(p => $"could not remove {p} of pod network {run}"));
            }
        }

        return lines;
    }

    private void CreateBridge()
    {
        var bridge = Bridge;

        // A fixed MAC (locally administered, from the run id): a bridge otherwise takes the lowest MAC of its ports,
        // which changes as pods come and go and leaves the pods' ARP caches pointing at an address that is gone.
        var mac = "02:" + string.Join(':', RunId.Take(5).Select(c => ((byte)c).ToString("x2", CultureInfo.InvariantCulture)));
        var batch =
            $"link add {bridge} type bridge forward_delay 0 stp_state 0\n" +
            $"link set {bridge} address {mac}\n" +
            $"addr add {Gateway}/{_pods.PrefixLength.ToString(CultureInfo.InvariantCulture)} dev {bridge}\n" +
            $"link set {bridge} up\n" +
            // The service range goes to the bridge: the host then calls ClusterIPs from the gateway address, which
            // pods answer directly, and the range shows as taken to the next network that chooses one.
            $"route add {_services} dev {bridge}\n";
        var result = HostCommand.TryRun("ip", ["-batch", "-"], batch);
        if (result.ExitCode != 0)
        {
            throw new PodNetworkUnavailableException(
                $"The pod network's bridge could not be created: {HostCommand.Failure("ip", ["-batch", "-"], batch, result)}{Environment.NewLine}" +
                "Real pods need the Linux bridge and veth drivers (modprobe bridge veth) and CAP_NET_ADMIN.");
        }
    }

    private void Start()
    {
        // Forwarding for this bridge only: the machine's global ip_forward stays as it is, and the FWD chain keeps
        // forwarded traffic between the pods. No IPv6 on the bridge: pods have IPv4 only, and a host that forwards
        // IPv6 must not route their link-local traffic anywhere.
        File.WriteAllText($"/proc/sys/net/ipv4/conf/{Bridge}/forwarding", "1");
        var ipv6 = $"/proc/sys/net/ipv6/conf/{Bridge}/disable_ipv6";
        if (File.Exists(ipv6))
        {
            File.WriteAllText(ipv6, "1");
        }

        var setup = FirewallScripts.Setup(RunId, Bridge, Gateway, _pods, _services);
        var result = HostCommand.TryRun("iptables-restore", ["-w", "--noflush"], setup);
        if (result.ExitCode != 0)
        {
            throw new PodNetworkUnavailableException(
                $"The pod network's iptables rules could not be installed: {HostCommand.Failure("iptables-restore", ["-w", "--noflush"], setup, result)}{Environment.NewLine}" +
                "Real pods need iptables with the filter and nat tables and the conntrack, statistic, REJECT and MASQUERADE extensions (apt-get install iptables; the kernel's netfilter modules).");
        }

        try
        {
            _dns = DnsServer.Start(Gateway, 53, ClusterDomain);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new PodNetworkUnavailableException(
                $"The pods' DNS server cannot listen on {Gateway}:53: {ex.Message}. A DNS server bound to every address (0.0.0.0:53, such as dnsmasq " +
                "without bind-interfaces) takes the port from all others: make it bind to its own addresses, or stop it.", ex);
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Chaos.Testing.Emulator.Runtime.Network;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>Nothing of a pod network outlives it: not after Dispose, and not after its process was killed.</summary>
[Collection(PodNetworkLeftoversTestGroup.Name)]
public sealed class PodNetworkCleanupTests : IDisposable
{
    private const string StateRoot = "/run/chaos-testing-emulator";
    private readonly List<string> _handMade = [];

    public void Dispose()
    {
        foreach (var run in _handMade)
        {
            RunPieces.Remove(run);
        }
    }

    [RootFact]
    public async Task Dispose_LeavesNoNamespaceLinkRuleFileOrStateFolder_AndCanBeCalledAgain()
    {
        // Arrange
        var network = PodNetwork.Create();
        var run = network.RunId;
        var one = network.AddPod("shop/one", "shop", "one");
        network.AddPod("shop/two", "shop", "two");
        var server = await NetnsTools.StartServerAsync(one.NetnsName, "one", 8080); // a process still inside a namespace
        Ipv4Range.TryParse(network.ServiceRange, out var services, out _).Should().BeTrue();
        network.SetServices([new ServiceRoute(services.At(10), 80, "TCP", [new IPEndPoint(one.Ip, 8080)]), new ServiceRoute(services.At(11), 80, "TCP", [])]);
        network.SetDnsRecords(new Dictionary<string, IPAddress[]> { ["one.shop.svc.cluster.local"] = [services.At(10)] });
        Everything().Should().Contain(run, "the network exists before it is disposed");

        // Act
        try
        {
            network.Dispose();
            network.Dispose();
        }
        finally
        {
            NetnsTools.Stop(server);
        }

        // Assert
        var left = Everything().Split('\n').Where(l => l.Contains(run, StringComparison.OrdinalIgnoreCase)).ToList();
        left.Should().BeEmpty();
        NetnsTools.Must(null, "ss", "-ulnH").Should().NotContain($"{network.Gateway}:53", "the DNS server stopped");
        network.RemovePod(one); // after Dispose: nothing to do, no error
    }

    [RootFact]
    public void RemoveLeftovers_RemovesTheRunOfAKilledOwner_AndKeepsItWhileTheOwnerLives()
    {
        // An emulator starting in another test process on this machine sweeps dead runs too, and may take this one in
        // the moment between the kill and our own call (the leftovers collection only keeps this assembly's tests
        // away): then nothing is left, and the scenario is run again, at most three times, to see our call report it.
        for (var attempt = 1; ; attempt++)
        {
            // Arrange: the pieces a network makes, owned by a process that is then killed (as a test run killed mid-way)
            using var owner = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            var run = MakeLeftovers($"{owner.Id} {StartTime(owner.Id)}");

            // Act
            var whileAlive = PodNetwork.RemoveLeftovers();
            var keptWhileAlive = Everything();
            owner.Kill();
            owner.WaitForExit();
            var afterKill = PodNetwork.RemoveLeftovers().Where(l => l.Contains(run, StringComparison.Ordinal)).ToList();

            // Assert
            whileAlive.Should().NotContain(l => l.Contains(run, StringComparison.Ordinal));
            keptWhileAlive.Should().Contain($"cte{run}v1").And.Contain($"CTE-{run}-FWD").And.Contain($"cte-{run}-1");
            Everything().Should().NotContain(run);
            if (afterKill.Count == 0 && attempt < 3)
            {
                continue; // swept by another process first
            }

            afterKill.Should().Contain(
                [
                    $"removed network interface cte{run}v1 of pod network {run}: its owner process {owner.Id} is gone",
                    $"removed network interface cte{run} of pod network {run}: its owner process {owner.Id} is gone",
                    $"removed network namespace cte-{run}-1 of pod network {run}: its owner process {owner.Id} is gone",
                    $"removed folder /etc/netns/cte-{run}-1 of pod network {run}: its owner process {owner.Id} is gone",
                    $"removed iptables chain CTE-{run}-FWD and the rules jumping to it of pod network {run}: its owner process {owner.Id} is gone",
                    $"removed iptables chain CTE-{run}-SVC and the rules jumping to it of pod network {run}: its owner process {owner.Id} is gone",
                    $"removed state folder {StateRoot}/{run} of pod network {run}: its owner process {owner.Id} is gone",
                ]);
            return;
        }
    }

    [RootFact]
    public void RemoveLeftovers_TakesAReusedPidForDead_AndAnOldOwnerlessRunForAbandoned_ButKeepsAFreshOne()
    {
        // Arrange (the live network first: Create removes leftovers too)
        using var live = PodNetwork.Create();
        var reused = MakeLeftovers($"{Environment.ProcessId} 1"); // this process's pid, another start time
        var ownerless = MakeLeftovers(owner: null);
        Directory.SetLastWriteTimeUtc($"{StateRoot}/{ownerless}", TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-2));
        var starting = MakeLeftovers(owner: null);
        var orphan = MakeLeftovers(owner: null);
        Directory.Delete($"{StateRoot}/{orphan}", recursive: true);

        // Act
        var lines = PodNetwork.RemoveLeftovers();

        // Assert
        var everything = Everything();
        everything.Should().NotContain(reused).And.NotContain(ownerless).And.NotContain(orphan);
        everything.Should().Contain($"cte{starting}v1", "a run whose state folder is younger than a minute may still be starting");
        everything.Should().Contain($"cte{live.RunId}", "a live network is never a leftover");
        lines.Should().Contain(l => l.Contains(reused, StringComparison.Ordinal) && l.Contains("now belongs to another process", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains(ownerless, StringComparison.Ordinal) && l.Contains("no owner file", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains(orphan, StringComparison.Ordinal) && l.Contains("no state folder", StringComparison.Ordinal));
    }

    /// <summary>Everything a run could leave, as text: namespaces, links, routes, iptables, /etc/netns and the state folders.</summary>
    private static string Everything() => string.Join(
        '\n',
        NetnsTools.Must(null, "ip", "netns", "list"),
        NetnsTools.Must(null, "ip", "link"),
        NetnsTools.Must(null, "ip", "-4", "route", "show", "table", "all"),
        NetnsTools.Must(null, "iptables-save"),
        string.Join('\n', Directory.Exists("/etc/netns") ? Directory.GetFileSystemEntries("/etc/netns", "*", SearchOption.AllDirectories) : []),
        string.Join('\n', Directory.Exists(StateRoot) ? Directory.GetFileSystemEntries(StateRoot, "*", SearchOption.AllDirectories) : []));

    /// <summary>The start time of a process, field 22 of /proc/pid/stat (counted after the command name's closing parenthesis).</summary>
    private static string StartTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    /// <summary>Makes by hand the pieces a pod network makes, under a new run id, with the given owner file content.</summary>
    private string MakeLeftovers(string? owner)
    {
        var run = "zz" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 4);
        _handMade.Add(run);
        Directory.CreateDirectory($"{StateRoot}/{run}");
        File.WriteAllText($"{StateRoot}/{run}/ranges", "pods 10.213.252.0/22\nservices 10.214.252.0/24\n");
        if (owner is not null)
        {
            File.WriteAllText($"{StateRoot}/{run}/owner", owner + "\n");
        }

        NetnsTools.Must(null, "ip", "link", "add", $"cte{run}", "type", "bridge");
        NetnsTools.Must(null, "ip", "netns", "add", $"cte-{run}-1");
        NetnsTools.Must(null, "ip", "link", "add", $"cte{run}v1", "type", "veth", "peer", "name", "eth0", "netns", $"cte-{run}-1");
        NetnsTools.Must(null, "ip", "link", "set", $"cte{run}v1", "master", $"cte{run}");
        Directory.CreateDirectory($"/etc/netns/cte-{run}-1");
        File.WriteAllText($"/etc/netns/cte-{run}-1/resolv.conf", "nameserver 10.213.252.1\n");
        var rules = string.Join(
            '\n',
            "*filter",
            $":CTE-{run}-FWD - [0:0]",
            $"-A CTE-{run}-FWD -i cte{run} -o cte{run} -j ACCEPT",
            $"-I FORWARD 1 -i cte{run} -j CTE-{run}-FWD",
            "COMMIT",
            "*nat",
            $":CTE-{run}-SVC - [0:0]",
            $"-A CTE-{run}-SVC -d 10.214.252.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.213.252.2:80",
            $"-I OUTPUT 1 -d 10.214.252.0/24 -j CTE-{run}-SVC",
            "COMMIT",
            string.Empty);
        var restore = new ProcessStartInfo("iptables-restore") { RedirectStandardInput = true, UseShellExecute = false };
        restore.ArgumentList.Add("-w");
        restore.ArgumentList.Add("--noflush");
        using var process = Process.Start(restore)!;
        process.StandardInput.Write(rules);
        process.StandardInput.Close();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, "the hand-made rules load");
        return run;
    }
}

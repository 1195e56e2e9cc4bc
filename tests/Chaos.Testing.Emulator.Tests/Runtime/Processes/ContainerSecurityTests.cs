using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>A container keeps only its capabilities, runs as its user, and cannot gain privileges when told so.</summary>
public sealed class ContainerSecurityTests : ContainerTest
{
    [RootFact]
    public async Task DefaultCapabilities_AreContainerds_WithoutNetAdmin()
    {
        var effective = await EffectiveCapabilities(Launch("grep", "Cap", "/proc/self/status"));

        effective.Names.Should().BeEquivalentTo(CapabilitySet.Default.Names);
        effective.Contains("NET_ADMIN").Should().BeFalse();
    }

    [RootFact]
    public async Task AddedCapability_IsEffective()
    {
        var capabilities = CapabilitySet.FromSecurityContext(new() { ["capabilities"] = new System.Text.Json.Nodes.JsonObject { ["add"] = new System.Text.Json.Nodes.JsonArray("NET_ADMIN") } });

        var effective = await EffectiveCapabilities(Launch("grep", "Cap", "/proc/self/status") with { Capabilities = capabilities });

        effective.Contains("NET_ADMIN").Should().BeTrue();
    }

    [RootFact("ip")]
    public async Task NetAdmin_DecidesWhetherALinkCanBeSetUp_InAFreshNetworkNamespace()
    {
        // unshare --net (with SYS_ADMIN) makes a namespace of the container's own, whose loopback only NET_ADMIN can set up.
        var command = new[] { "unshare", "--net", "--", "ip", "link", "set", "lo", "up" };
        var withoutUnshare = Launch(command);
        var asRootWithDefault = withoutUnshare with { Capabilities = CapabilitySet.Of([.. CapabilitySet.Default.Names, "SYS_ADMIN"]) };
        var asRootWithNetAdmin = withoutUnshare with { Capabilities = CapabilitySet.Of([.. CapabilitySet.Default.Names, "SYS_ADMIN", "NET_ADMIN"]) };

        var (denied, deniedLines) = await RunToEnd(asRootWithDefault);
        var (allowed, _) = await RunToEnd(asRootWithNetAdmin);

        denied.ExitCode.Should().NotBe(0);
        deniedLines.Should().Contain(l => l.Stream == "stderr" && l.Text.Contains("Operation not permitted", StringComparison.Ordinal));
        allowed.ExitCode.Should().Be(0);
    }

    [RootFact]
    public async Task DropAll_LeavesNoCapability()
    {
        var capabilities = CapabilitySet.FromSecurityContext(new() { ["capabilities"] = new System.Text.Json.Nodes.JsonObject { ["drop"] = new System.Text.Json.Nodes.JsonArray("ALL") } });
        var (_, lines) = await RunToEnd(Launch("grep", "Cap", "/proc/self/status") with { Capabilities = capabilities });

        lines.Select(l => l.Text).Where(l => !l.StartsWith("CapBnd", StringComparison.Ordinal)).Should().OnlyContain(l => l.EndsWith("0000000000000000", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Text == "CapBnd:\t0000000000000000", "not even the bounding set keeps one: a setuid program cannot get them back");
    }

    [RootFact]
    public async Task RunAsUser_RunsAsThatUser_WithItsCapabilitiesAmbient()
    {
        var launch = Launch("sh", "-c", "id -u; id -g; id -G; grep CapEff /proc/self/status") with
        {
            RunAsUser = 1000, RunAsGroup = 3000, Capabilities = CapabilitySet.Of("NET_RAW"), NoNewPrivileges = true,
        };

        var (_, lines) = await RunToEnd(launch);

        lines.Select(l => l.Text).Take(3).Should().Equal(["1000", "3000", "3000"], "no supplementary group of root is kept");
        CapabilitySet.FromHex(lines[3].Text.Split('\t')[1]).Names.Should().Equal(["NET_RAW"]);
    }

    [RootFact]
    public async Task NoNewPrivileges_IsSet()
    {
        var (_, with) = await RunToEnd(Launch("grep", "NoNewPrivs", "/proc/self/status") with { NoNewPrivileges = true });
        var (_, without) = await RunToEnd(Launch("grep", "NoNewPrivs", "/proc/self/status"));

        with.Single().Text.Should().Be("NoNewPrivs:\t1");
        without.Single().Text.Should().Be("NoNewPrivs:\t0");
    }

    private async Task<CapabilitySet> EffectiveCapabilities(ContainerLaunch launch)
    {
        var (exit, lines) = await RunToEnd(launch);
        exit.ExitCode.Should().Be(0);
        return CapabilitySet.FromHex(lines.Single(l => l.Text.StartsWith("CapEff:", StringComparison.Ordinal)).Text.Split('\t')[1]);
    }

    [RootFact]
    public async Task LoaderVariables_ReachTheContainer_ButNotTheRootLaunchChain()
    {
        // LD_PRELOAD in a pod's spec would otherwise be loaded into unshare and setpriv, which run as root with every
        // capability: the pod author's code with the host's privileges. Only the container's program may see it.
        var launch = Launch("sh", "-c", "echo preload=$LD_PRELOAD; exec sleep 600") with
        {
            Environment = new Dictionary<string, string> { ["LD_PRELOAD"] = "/nonexistent/chaos-test.so", ["GREETING"] = "hi" },
        };
        var container = Start(launch);
        await WaitForLine(launch, "preload=/nonexistent/chaos-test.so");

        var chain = ProcessTree.WithDescendants(container.LauncherPid).Where(p => p != container.HostPid).ToList();
        chain.Should().NotBeEmpty();
        foreach (var pid in chain)
        {
            var environ = File.ReadAllText($"/proc/{pid}/environ");
            environ.Should().NotContain("LD_PRELOAD", $"process {pid} ({File.ReadAllText($"/proc/{pid}/comm").Trim()}) of the launch chain runs as root");
            environ.Should().Contain("GREETING=hi", "the other variables pass through the chain");
        }
    }
}

namespace Chaos.Testing.Tests.Payloads.Network;

/// <summary>The builders' guards against impossible values (the engine validates user input before; these stop bugs).</summary>
public sealed class NetworkFaultSpecTests
{
    private static readonly NetemEffects Delay = new() { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(10)) };

    public static TheoryData<string> ImpossibleSpecs() =>
    [
        "no netem effect", "negative latency", "negative jitter", "loss over 100", "loss NaN", "negative corruption",
        "duplication over 100", "correlation over 100", "zero rate", "zero burst", "latency and limit", "neither latency nor limit",
        "zero latency", "bad cidr", "ipv6 peer", "prefix over 32", "short address", "port 0", "port 65536",
        "partition without peers", "bad interface", "long interface",
    ];

    [Theory]
    [MemberData(nameof(ImpossibleSpecs))]
    public void Builders_RefuseImpossibleValues(string name)
    {
        var script = new PayloadScript("guard");
        var bucket = new BandwidthLimit(1_000_000, 16_000, TimeSpan.FromMilliseconds(50));
        Action build = name switch
        {
            "no netem effect" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects())),
            "negative latency" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(-1)) })),
            "negative jitter" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { Delay = new NetworkDelay(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(-1)) })),
            "loss over 100" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(100.5) })),
            "loss NaN" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(double.NaN) })),
            "negative corruption" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { CorruptionPercent = -1 })),
            "duplication over 100" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { DuplicationPercent = 101 })),
            "correlation over 100" => () => script.AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(1, 150) })),
            "zero rate" => () => script.AddBandwidth(new BandwidthFaultSpec(bucket with { RateBitsPerSecond = 0 })),
            "zero burst" => () => script.AddBandwidth(new BandwidthFaultSpec(bucket with { BurstBytes = 0 })),
            "latency and limit" => () => script.AddBandwidth(new BandwidthFaultSpec(bucket with { LimitBytes = 10_000 })),
            "neither latency nor limit" => () => script.AddBandwidth(new BandwidthFaultSpec(bucket with { Latency = null })),
            "zero latency" => () => script.AddBandwidth(new BandwidthFaultSpec(bucket with { Latency = TimeSpan.Zero })),
            "bad cidr" => () => script.AddNetem(new NetemFaultSpec(Delay, Filter: new NetworkFilter(["10.0.0.256"]))),
            "ipv6 peer" => () => script.AddPartition(new PartitionFaultSpec(new NetworkFilter(["fd00::1"]))),
            "prefix over 32" => () => script.AddPartition(new PartitionFaultSpec(new NetworkFilter(["10.0.0.0/33"]))),
            "short address" => () => script.AddPartition(new PartitionFaultSpec(new NetworkFilter(["10.1"]))),
            "port 0" => () => script.AddNetem(new NetemFaultSpec(Delay, Filter: new NetworkFilter([], [0]))),
            "port 65536" => () => script.AddPartition(new PartitionFaultSpec(new NetworkFilter(["10.0.0.1"], [65536]))),
            "partition without peers" => () => script.AddPartition(new PartitionFaultSpec(new NetworkFilter([], [80]))),
            "bad interface" => () => script.AddNetem(new NetemFaultSpec(Delay) { Interface = "eth0; reboot" }),
            "long interface" => () => script.AddBandwidth(new BandwidthFaultSpec(bucket) { Interface = "a-very-long-name0" }),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };

        build.Should().Throw<ArgumentException>();
        script.InstallSteps.Should().BeEmpty("a refused spec adds nothing to the script");
    }

    [Theory]
    [InlineData("10.0.0.7", "10.0.0.7/32")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.168.1.255/23", "192.168.0.0/23")]
    public void Filter_AddressesAreCanonicalCidrs(string given, string canonical) =>
        Ipv4Cidr.Canonical(given, "peers").Should().Be(canonical);

    [Theory]
    [InlineData("t1", "ifb-t1")]
    [InlineData("abcdefghijk", "ifb-abcdefghijk")]
    public void IfbDevice_ShortTags_AreReadable(string tag, string device) => NetworkPayloads.IfbDevice(tag).Should().Be(device);

    [Fact]
    public void IfbDevice_LongTags_FitAnInterfaceNameAndStayDistinct()
    {
        var a = NetworkPayloads.IfbDevice("chaos-0f8e2a6b-4c1d-4a8e-9d57-1c2b3a4d5e6f");
        var b = NetworkPayloads.IfbDevice("chaos-0f8e2a6b-4c1d-4a8e-9d57-1c2b3a4d5e70");

        a.Should().HaveLength(15).And.StartWith("ifb-cha").And.MatchRegex("^[a-z0-9-]+$");
        b.Should().HaveLength(15).And.NotBe(a);
    }

    [Fact]
    public void Render_LossWithFallback_IsOneDecisionAtRunTime_AndCleansUpBothWays()
    {
        var script = new PayloadScript("x1").AddNetem(new NetemFaultSpec(new NetemEffects { Loss = new NetworkLoss(30) }));

        script.InstallSteps.Select(s => s.Line).Should().Equal(
            "if { tc qdisc replace dev eth0 root netem loss 30%; } >/dev/null 2>&1; then echo 'chaos: egress loss via netem'; " +
            "else tc qdisc del dev eth0 root >/dev/null 2>&1; echo 'chaos: netem unavailable, egress loss via iptables statistic'; " +
            "iptables -w 5 -I OUTPUT -o eth0 -m statistic --mode random --probability 0.3 -m comment --comment chaos-x1 -j DROP; fi");
        script.CleanupSteps.Select(s => s.Line).Should().Equal(
            "tc qdisc del dev eth0 root",
            "while iptables -w 5 -D OUTPUT -o eth0 -m statistic --mode random --probability 0.3 -m comment --comment chaos-x1 -j DROP 2>/dev/null; do :; done");
    }
}

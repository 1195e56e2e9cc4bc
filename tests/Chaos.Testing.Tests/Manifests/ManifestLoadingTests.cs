namespace Chaos.Testing.Tests.Manifests;

/// <summary>Reading the operator's format: every field, defaults, several documents and files, and every problem at once.</summary>
public sealed class ManifestLoadingTests
{
    internal static string Manifest(string name, string spec, string ns = "chaos") => $"""
        apiVersion: chaos.gushchin.dev/v1alpha1
        kind: ChaosExperiment
        metadata:
          name: {name}
          namespace: {ns}
        spec:
        {string.Join('\n', spec.Split('\n').Select(l => "  " + l))}
        """;

    [Fact]
    public void Load_EveryFieldOfTheFormat_IsRead()
    {
        var set = ChaosManifest.Parse(Manifest("all", """
            action: pod-cpu-stress
            namespace: shop
            selector: { app: cart, tier: web }
            count: 2
            duration: 1m30s
            experimentDuration: 2h
            maxRetries: 5
            retryBackoff: fixed
            retryDelay: 10s
            cpuLoad: 70
            cpuWorkers: 4
            memorySize: 1G
            memoryWorkers: 2
            lossPercentage: 10
            lossCorrelation: 25
            corruptionPercentage: 7
            corruptionCorrelation: 0
            fillPercentage: 60
            targetPath: /data
            volumeName: cache
            direction: egress
            targetIPs: [10.0.0.1]
            targetCIDRs: [10.96.0.0/12]
            targetPorts: []
            targetProtocols: []
            dryRun: true
            paused: false
            maxPercentage: 40
            allowProduction: true
            schedule: "0 2 * * *"
            dependsOn: []
            timeWindows:
              - { type: Recurring, start: "09:00", end: "17:00", timezone: Europe/Berlin, daysOfWeek: [Mon, Fri] }
            maintenanceWindows:
              - { type: Absolute, start: "2026-12-24T00:00:00Z", end: "2026-12-27T00:00:00+01:00" }
            restartInterval: 30s
            taintKey: chaos
            taintValue: "yes"
            taintEffect: NoExecute
            """));

        set.Problems.Should().BeEmpty();
        var m = set.Manifests.Should().ContainSingle().Which;
        (m.Name, m.ExperimentNamespace, m.Key, m.FaultName).Should().Be(("all", "chaos", "chaos/all", "cpu-stress"));
        var s = m.Spec;
        s.Selector.Should().Equal(new Dictionary<string, string> { ["app"] = "cart", ["tier"] = "web" });
        (s.Action, s.Namespace, s.Count, s.Duration, s.ExperimentDuration).Should().Be(("pod-cpu-stress", "shop", 2, TimeSpan.FromSeconds(90), TimeSpan.FromHours(2)));
        (s.MaxRetries, s.RetryBackoff, s.RetryDelay, s.CpuLoad, s.CpuWorkers, s.MemorySize, s.MemoryWorkers).Should().Be((5, "fixed", TimeSpan.FromSeconds(10), (int?)70, 4, "1G", 2));
        (s.LossPercentage, s.LossCorrelation, s.CorruptionPercentage, s.CorruptionCorrelation, s.FillPercentage, s.TargetPath, s.VolumeName).Should().Be((10, 25, 7, 0, 60, "/data", "cache"));
        (s.Direction, s.DryRun, s.Paused, s.MaxPercentage, s.AllowProduction, s.Schedule, s.RestartInterval).Should().Be(("egress", true, false, (int?)40, true, "0 2 * * *", (TimeSpan?)TimeSpan.FromSeconds(30)));
        s.TargetIPs.Should().Equal("10.0.0.1");
        s.TargetCIDRs.Should().Equal("10.96.0.0/12");
        (s.TaintKey, s.TaintValue, s.TaintEffect).Should().Be(("chaos", "yes", "NoExecute"));
        s.TimeWindows.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Type = "Recurring", Start = "09:00", End = "17:00", Timezone = "Europe/Berlin", DaysOfWeek = new[] { "Mon", "Fri" } });
        s.MaintenanceWindows.Should().ContainSingle().Which.Type.Should().Be("Absolute");
        set.Notices.Select(n => n.Path).Should().Contain(["spec.memorySize", "spec.lossPercentage", "spec.taintKey", "spec.direction"], "fields pod-cpu-stress does not use are pointed out");
    }

    [Fact]
    public void Load_Defaults_AreTheOperators()
    {
        var s = Single(Manifest("kill", "action: pod-kill\nnamespace: shop\nselector: { app: cart }")).Spec;

        (s.Count, s.MaxRetries, s.RetryBackoff, s.RetryDelay, s.CpuWorkers, s.MemoryWorkers).Should().Be((1, 3, "exponential", TimeSpan.FromSeconds(30), 1, 1));
        (s.LossPercentage, s.LossCorrelation, s.CorruptionPercentage, s.FillPercentage, s.Direction, s.TaintEffect).Should().Be((5, 0, 5, 80, "both", "NoSchedule"));
        (s.Duration, s.ExperimentDuration, s.MaxPercentage, s.Schedule, s.DryRun, s.Paused, s.AllowProduction).Should().Be(((TimeSpan?)null, (TimeSpan?)null, (int?)null, (string?)null, false, false, false));
    }

    [Fact]
    public void Load_FilesAndDirectories_ReadsEveryDocumentInNameOrder_AndSkipsOtherKinds()
    {
        var dir = Directory.CreateTempSubdirectory("manifests-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "b.yml"), Manifest("second", "action: pod-kill\nnamespace: shop\nselector: { app: cart }"));
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub"));
            File.WriteAllText(Path.Combine(dir.FullName, "sub", "c.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: cart }\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), Manifest("first", "action: pod-kill\nnamespace: shop\nselector: { app: cart }")
                + "\n---\n" + Manifest("again", "action: pod-restart\nnamespace: shop\nselector: { app: cart }") + "\n---\n");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "not yaml: [");

            var set = ChaosManifest.Load(dir.FullName, Path.Combine(dir.FullName, "missing.yaml"));

            set.Manifests.Select(m => m.Name).Should().Equal("first", "again", "second");
            set.Manifests[1].Source.Should().EndWith("a.yaml#2");
            set.Notices.Should().ContainSingle(n => n.Message.Contains("not a ChaosExperiment", StringComparison.Ordinal) && n.Source.EndsWith("c.yaml", StringComparison.Ordinal));
            set.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "(path)", Message = "no such file or directory." });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_ManyMistakes_ReportsEveryProblemAtOnce_WithFieldPathsAndLines()
    {
        var set = ChaosManifest.Parse(Manifest("bad", """
            action: pod-cpu-stres
            namespace: ""
            selector: {}
            count: 0
            duration: 30sec
            experimentDuration: 1d
            maxRetries: 11
            retryBackoff: linear
            retryDelay: 5
            cpuWorkers: 33
            memorySize: 512MB
            memoryWorkers: 9
            lossPercentage: 41
            lossCorrelation: 101
            corruptionPercentage: 0
            corruptionCorrelation: -1
            fillPercentage: 96
            direction: sideways
            targetIPs: [10.0.0.256, "::1"]
            targetCIDRs: [10.0.0.0]
            targetPorts: [0, 70000]
            targetProtocols: [sctp]
            maxPercentage: 0
            dryRun: maybe
            schedule: "* * *"
            dependsOn: [bad]
            restartInterval: soon
            taintEffect: NoEntry
            cpuLod: 50
            timeWindows:
              - { type: Weekly, start: "9:00", end: "25:00" }
              - { type: Recurring, start: "09:00", end: "17:00", timezone: Mars/Olympus, daysOfWeek: [Monday] }
              - { type: Absolute, start: "2026-01-02T00:00:00Z", end: "2026-01-01T00:00:00Z" }
              - { type: Absolute, start: "yesterday", end: "2026-01-01", until: x }
            """));

        var paths = set.Problems.Select(p => p.Path).ToList();
        paths.Should().Contain([
            "spec.action", "spec.namespace", "spec.selector", "spec.count", "spec.duration", "spec.experimentDuration", "spec.maxRetries",
            "spec.retryBackoff", "spec.retryDelay", "spec.cpuWorkers", "spec.memorySize", "spec.memoryWorkers", "spec.lossPercentage",
            "spec.lossCorrelation", "spec.corruptionPercentage", "spec.corruptionCorrelation", "spec.fillPercentage", "spec.direction",
            "spec.targetIPs[0]", "spec.targetIPs[1]", "spec.targetCIDRs[0]", "spec.targetPorts[0]", "spec.targetPorts[1]", "spec.targetProtocols[0]",
            "spec.maxPercentage", "spec.dryRun", "spec.schedule", "spec.dependsOn[0]", "spec.restartInterval", "spec.taintEffect", "spec.cpuLod",
            "spec.timeWindows[0].type", "spec.timeWindows[1].timezone", "spec.timeWindows[1].daysOfWeek[0]", "spec.timeWindows[2].end",
            "spec.timeWindows[3].start", "spec.timeWindows[3].end", "spec.timeWindows[3].until",
        ]);
        set.IsValid.Should().BeFalse();
        set.Problems.Should().OnlyContain(p => p.Source == "(string)" && p.Line > 0, "each problem names where it is");
        Message(set, "spec.duration").Should().Contain("^([0-9]+(s|m|h))+$").And.Contain("\"30sec\"");
        Message(set, "spec.memorySize").Should().Contain("^[0-9]+[MG]$");
        Message(set, "spec.count").Should().Be("must be between 1 and 100, was 0.");
        Message(set, "spec.dependsOn[0]").Should().Contain("cannot depend on itself");
        Message(set, "spec.timeWindows[1].daysOfWeek[0]").Should().Contain("Did you mean \"Mon\"?");
        var thrown = set.Invoking(s => s.ThrowIfInvalid()).Should().Throw<ChaosConfigurationException>().Which;
        thrown.Errors.Should().HaveCount(set.Problems.Count);
    }

    [Fact]
    public void UnknownActionOrField_IsAnError_ListingWhatIsKnown_WithDidYouMean()
    {
        var set = ChaosManifest.Parse(Manifest("typo", "action: pod-kil\nnamespace: shop\nselector: { app: cart }\ncuont: 2"));

        Message(set, "spec.action").Should().StartWith("unknown action \"pod-kil\". Did you mean \"pod-kill\"? Known actions: ")
            .And.Contain(string.Join(", ", ChaosManifest.Actions));
        Message(set, "spec.cuont").Should().StartWith("unknown field of spec. Did you mean \"count\"? Known fields: action, namespace, selector, count,");
        Message(ChaosManifest.Parse(Manifest("far", "action: explode\nnamespace: shop\nselector: { app: cart }")), "spec.action")
            .Should().NotContain("Did you mean", "nothing known is near \"explode\"");
        var wrongKind = ChaosManifest.Parse("apiVersion: chaos.gushchin.dev/v1beta1\nkind: ChaosExperimant\nmetadata: { name: x, colour: red }\nspec: { action: pod-kill, namespace: shop, selector: { app: cart } }\nextra: 1");
        wrongKind.Problems.Select(p => p.Path).Should().BeEquivalentTo(["apiVersion", "kind", "metadata.colour", "extra"]);
        Message(wrongKind, "kind").Should().Contain("Did you mean \"ChaosExperiment\"?");
    }

    [Fact]
    public void RequiredFieldsPerAction_AreChecked()
    {
        string[] NeedsOf(string action, string extra = "") =>
            [.. ChaosManifest.Parse(Manifest("x", $"action: {action}\nnamespace: shop\nselector: {{ app: cart }}{extra}")).Problems.Select(p => p.Path)];

        NeedsOf("pod-delay").Should().Equal("spec.duration");
        NeedsOf("pod-cpu-stress").Should().BeEquivalentTo(["spec.duration", "spec.cpuLoad"]);
        NeedsOf("node-cpu-stress").Should().BeEquivalentTo(["spec.duration", "spec.cpuLoad"]);
        NeedsOf("pod-memory-stress").Should().BeEquivalentTo(["spec.duration", "spec.memorySize"]);
        NeedsOf("node-taint").Should().BeEquivalentTo(["spec.duration", "spec.taintKey"]);
        NeedsOf("pod-disk-fill", "\ntargetPath: \"\"").Should().BeEquivalentTo(["spec.duration", "spec.targetPath"]);
        foreach (var action in new[] { "pod-network-loss", "pod-network-corruption", "node-disk-fill", "network-partition" })
        {
            NeedsOf(action).Should().Equal(["spec.duration"], action);
        }

        foreach (var action in new[] { "pod-kill", "pod-restart", "pod-failure", "node-drain" })
        {
            NeedsOf(action).Should().BeEmpty(action);
        }

        NeedsOf("pod-delay", "\nduration: 2m").Should().Equal(["spec.duration"], "pod-delay's duration is its latency, at most 1m here");
        NeedsOf("network-partition", "\nduration: 5s\ntargetPorts: [80]").Should().Equal(["spec.targetPorts"], "a port-scoped partition would be widened to every port");
        NeedsOf("pod-memory-stress", "\nduration: 5s\nmemorySize: 0M").Should().Equal(["spec.memorySize"], "the engine's own limit (1 MiB) is reported on the field");
    }

    [Fact]
    public void DocsPage_ItsYamlExample_LoadsWithoutProblems_InDependsOnOrder()
    {
        var page = File.ReadAllText(Path.Combine(Architecture.SourceTree.Root, "docs", "manifests.md"));
        var start = page.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var set = ChaosManifest.Parse(page[start..page.IndexOf("```", start, StringComparison.Ordinal)], "docs/manifests.md");

        set.Problems.Should().BeEmpty();
        set.ExecutionOrder.Select(m => m.Name).Should().Equal("cart-kill", "cart-cpu");
        ChaosManifest.Actions.Should().OnlyContain(a => page.Contains($"| `{a}` | [", StringComparison.Ordinal), "the action table lists every action");
    }

    internal static ChaosManifest Single(string yaml)
    {
        var set = ChaosManifest.Parse(yaml);
        set.Problems.Should().BeEmpty();
        return set.Manifests.Should().ContainSingle().Which;
    }

    private static string Message(ChaosManifestSet set, string path) => set.Problems.Should().ContainSingle(p => p.Path == path).Which.Message;
}

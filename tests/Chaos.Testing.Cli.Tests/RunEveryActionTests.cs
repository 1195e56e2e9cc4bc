using System.Text.Json;
using static Chaos.Testing.Cli.Tests.Tool;

namespace Chaos.Testing.Cli.Tests;

/// <summary>`chaos run` takes every action of the format, in one multi-document file, against an emulator; `stats` and `list` read what it left.</summary>
public sealed class RunEveryActionTests
{
    private const string Cart = "namespace: shop\nselector: { app: cart }";

    private static readonly (string Action, string Fields)[] Actions =
    [
        ("pod-cpu-stress", "duration: 5s\ncpuLoad: 50\ncpuWorkers: 2"),
        ("node-cpu-stress", "duration: 5s\ncpuLoad: 20"),
        ("pod-memory-stress", "duration: 5s\nmemorySize: 16M"),
        ("pod-network-loss", "duration: 5s\nlossPercentage: 20"),
        ("pod-network-corruption", "duration: 5s\ncorruptionPercentage: 3"),
        ("pod-delay", "duration: 1s\nexperimentDuration: 5s"),
        ("pod-disk-fill", "duration: 5s\nfillPercentage: 60"),
        ("node-disk-fill", "duration: 5s\nfillPercentage: 55\ntargetPath: /var/tmp"),
        ("network-partition", "duration: 5s\ndirection: egress\ntargetCIDRs: [10.96.0.0/12]"),
        ("node-taint", "duration: 5s\ntaintKey: chaos.example/cli\ntaintEffect: PreferNoSchedule"),
        ("pod-failure", "experimentDuration: 5s"),
        ("pod-restart", "restartInterval: 1s"),
        ("node-drain", "experimentDuration: 5s"),
        ("pod-kill", "count: 1"),
    ];

    private static readonly string[] PodPayloads = ["pod-cpu-stress", "pod-memory-stress", "pod-network-loss", "pod-network-corruption", "pod-delay", "pod-disk-fill", "network-partition"];

    [Fact]
    public async Task EveryAction_RunsThroughTheTool_AndTheClusterSawEachOne()
    {
        await using var cluster = await ShopAsync();
        var dir = TempDirectory();
        var file = Path.Combine(dir, "all.yaml");
        await File.WriteAllTextAsync(file, string.Join("\n---\n", Actions.Select(a => Manifest(a.Action, $"action: {a.Action}\n{Cart}\n{a.Fields}"))));

        var (code, stdout, stderr) = await RunAsync(dir, "run", "all.yaml", "--kubeconfig", cluster.KubeconfigPath, "--hold", "100ms", "--progress-interval", "40ms", "--report", "reports", "-o", "json");

        code.Should().Be(0, stderr + stdout);
        using var json = JsonDocument.Parse(stdout);
        json.RootElement.GetProperty("held").GetBoolean().Should().BeTrue();
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        results.Select(r => r.GetProperty("action").GetString()).Should().Equal(Actions.Select(a => a.Action));
        results.Should().OnlyContain(r => r.GetProperty("outcome").GetString() == "Passed", stdout);

        // What the API server saw, per action: never the tool's or the payload's own word.
        var writes = cluster.Audit.Writes.Where(w => w.StatusCode < 300).ToList();
        foreach (var result in results)
        {
            var action = result.GetProperty("action").GetString()!;
            var target = result.GetProperty("result").GetProperty("affected")[0].GetProperty("name").GetString();
            if (PodPayloads.Contains(action))
            {
                writes.Should().Contain(w => w.Resource == "pods" && w.Subresource == "ephemeralcontainers" && w.Name == target, "{0} added its payload to pod {1}", action, target);
            }
            else if (action is "node-cpu-stress" or "node-disk-fill")
            {
                writes.Should().Contain(w => w.Verb == "create" && w.Resource == "pods" && w.Namespace == "default", "{0} created its node payload pod", action);
            }
            else if (action is "pod-kill" or "pod-restart")
            {
                writes.Should().Contain(w => w.Verb == "delete" && w.Resource == "pods" && w.Name == target, "{0} deleted pod {1}", action, target);
            }
            else
            {
                writes.Count(w => w.Verb == "update" && w.Name == target && w.Subresource == null).Should().BeGreaterThanOrEqualTo(2, "{0} changed {1} and restored it", action, target);
            }
        }

        (await NodesAsync(cluster.Client)).Should().OnlyContain(n => (n.Spec.Taints == null || n.Spec.Taints.Count == 0) && n.Spec.Unschedulable != true, "every node fault recovered");
        stderr.Should().Contain("report: ").And.Contain("ok   chaos/pod-kill: Passed");
        stderr.Should().MatchRegex(@"… chaos/\S+: 0:0\d elapsed(, 0:0\d of its 0:00 hold left|, hold of 0:00 not started)?; last step: ", "holds report their progress on stderr");

        var stats = await RunAsync(dir, "stats", "reports", "-o", "json");
        stats.Code.Should().Be(0, stats.Err);
        using var statsJson = JsonDocument.Parse(stats.Out);
        statsJson.RootElement.GetProperty("reports").GetInt32().Should().Be(Actions.Length);
        var all = statsJson.RootElement.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("action").GetString() == "(all)");
        (all.GetProperty("runs").GetInt32(), all.GetProperty("passed").GetInt32(), all.GetProperty("passRate").GetDouble()).Should().Be((Actions.Length, Actions.Length, 1.0));

        var list = await RunAsync(dir, "list", "--kubeconfig", cluster.KubeconfigPath);
        (list.Code, list.Out.Trim()).Should().Be((0, "EXPERIMENT  FAULT  TARGET  SINCE  DEADLINE  OWNER  STATUS\nNo chaos is active."));
    }
}

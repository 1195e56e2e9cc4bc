using System.Text.Json;
using k8s;
using static Chaos.Testing.Cli.Tests.Tool;

namespace Chaos.Testing.Cli.Tests;

/// <summary>list, describe and sweep over a live run's ledger entry and hostile annotations; and the tool as a process.</summary>
public sealed class LedgerCommandTests
{
    [Fact]
    public async Task ListDescribeSweep_ShowALiveRun_AndSurviveHostileAnnotations()
    {
        await using var cluster = await ShopAsync();
        var dir = TempDirectory();
        var kube = new[] { "--kubeconfig", cluster.KubeconfigPath };
        var set = ChaosManifest.Parse(Manifest("taint", "action: node-taint\nnamespace: shop\nselector: { app: cart }\nduration: 5m\ntaintKey: chaos.example/live"));
        using var stop = new CancellationTokenSource();
        var run = set.RunAsync(cluster.Client, null, stop.Token);
        JsonElement live = default;
        await UntilAsync(async () =>
        {
            var (_, json, _) = await RunAsync(dir, ["list", "-o", "json", .. kube]);
            live = JsonDocument.Parse(json).RootElement.GetProperty("active").EnumerateArray().FirstOrDefault(e => e.GetProperty("status").GetString() == "verified");
            return live.ValueKind == JsonValueKind.Object;
        }, "the run's ledger entry in `chaos list`");

        var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync("shop")).Items[0];
        pod.Metadata.Labels["chaos.testing/ledger"] = "true";
        pod.Metadata.Annotations ??= new Dictionary<string, string>();
        pod.Metadata.Annotations["chaos.testing/ledger-evil"] = "\u001b[2J\u001b[31mnot json\r\nEXPERIMENT fake";
        pod.Metadata.Annotations["chaos.testing/ledger-forged"] = """{"experiment":"forged","fault":"node-taint\u001b[31m","deadline":"2999-01-01T00:00:00Z","owner":{"host":"h\u001b]0;x\u0007","pid":1,"started":"2020-01-01T00:00:00Z"}}""";
        await cluster.Client.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, "shop");
        var id = live.GetProperty("experiment").GetString()!;

        var list = await RunAsync(dir, ["list", .. kube]);
        var describe = await RunAsync(dir, ["describe", id, .. kube]);
        var unknown = await RunAsync(dir, ["describe", "nope", .. kube]);
        var sweep = await RunAsync(dir, ["sweep", "-o", "json", .. kube]);

        list.Code.Should().Be(0, list.Err);
        list.Out.Should().NotContain("\u001b").And.NotContain("\r");
        list.Out.Should().MatchRegex($@"{id} +node-taint +node/\S+ +\d{{4}}-\d\d-\d\d \S+Z +\d{{4}}-\d\d-\d\d \S+Z +process {Environment.ProcessId} on \S+ +verified");
        list.Out.Should().MatchRegex(@"evil +\? +pod/shop/\S+ +- +- +- +unreadable").And.MatchRegex(@"forged +node-taint\?\[31m +pod/shop/\S+ .+unverified");
        live.GetProperty("target").GetString().Should().StartWith("node/");
        describe.Code.Should().Be(0, describe.Err);
        describe.Out.Should().Contain($"Experiment {id}").And.Contain("Deadline:").And.Contain("renewed ").And.Contain("chaos.example/live");
        unknown.Code.Should().Be(2);
        using var swept = JsonDocument.Parse(sweep.Out);
        sweep.Code.Should().Be(3, "the live run is skipped and the hostile entries are left: " + sweep.Out);
        swept.RootElement.GetProperty("skipped").EnumerateArray().Should().ContainSingle(s => s.GetString()!.Contains(id, StringComparison.Ordinal));
        swept.RootElement.GetProperty("failed").EnumerateArray().Select(f => f.GetString()).Should().Contain(f => f!.Contains("ledger-evil", StringComparison.Ordinal) && f.Contains("does not parse", StringComparison.Ordinal));
        (await NodesAsync(cluster.Client)).Should().Contain(n => n.Spec.Taints != null && n.Spec.Taints.Any(t => t.Key == "chaos.example/live"), "a sweep leaves a live run alone");

        var forced = await RunAsync(dir, ["sweep", "--force", "-o", "json", .. kube]);
        JsonDocument.Parse(forced.Out).RootElement.GetProperty("recovered").EnumerateArray().Should().ContainSingle(r => r.GetString()!.Contains(id, StringComparison.Ordinal), forced.Out);
        (await NodesAsync(cluster.Client)).Should().OnlyContain(n => n.Spec.Taints == null || !n.Spec.Taints.Any(t => t.Key == "chaos.example/live"), "--force recovered the live run's taint");
        await stop.CancelAsync();
        var result = (await run).Results.Single();
        result.Outcome.Should().NotBe(ManifestOutcome.Passed, "its run was recovered early and then cancelled");
    }

    [Fact]
    public async Task AsAProcess_RunOnItsOwnEmulator_WithApply_GatesOnTheExitCode()
    {
        var dir = TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir, "shop.yaml"), Shop);
        await File.WriteAllTextAsync(Path.Combine(dir, "kill.yaml"), Manifest("kill", "action: pod-kill\nnamespace: shop\nselector: { app: cart }\ncount: 2"));
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.yaml"), Manifest("bad", "action: pod-kill\nnamespace: shop\nselector: {}"));

        var held = await RunProcessAsync(dir, "run", "kill.yaml", "--cluster", "emulator", "--apply", "shop.yaml", "-o", "json");
        var invalid = await RunProcessAsync(dir, "validate", "bad.yaml");

        held.Code.Should().Be(0, held.Err);
        held.Err.Should().Contain("emulator started at http://127.0.0.1:");
        var result = JsonDocument.Parse(held.Out).RootElement.GetProperty("results")[0];
        result.GetProperty("outcome").GetString().Should().Be("Passed");
        result.GetProperty("affectedPods").EnumerateArray().Should().HaveCount(2);
        invalid.Code.Should().Be(2);
        invalid.Out.Should().Contain("spec.selector");
    }
}

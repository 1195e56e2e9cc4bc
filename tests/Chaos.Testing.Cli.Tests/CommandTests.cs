using System.Reflection;
using System.Text.Json;
using k8s;
using k8s.Models;
using static Chaos.Testing.Cli.Tests.Tool;

namespace Chaos.Testing.Cli.Tests;

/// <summary>validate, check, exit codes, the config file, completion: the tool in process.</summary>
public sealed class CommandTests
{
    private const string Kill = "action: pod-kill\nnamespace: shop\nselector: { app: cart }";

    [Fact]
    public async Task Validate_ListsEveryProblem_WithFileLineAndField_AndExitsInvalid()
    {
        var dir = TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir, "good.yaml"), Manifest("ok", Kill));
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.yaml"), Manifest("bad", "action: pod-cpu-stres\nnamespace: shop\nselector: { app: cart }\ncount: 500"));

        var good = await RunAsync(dir, "validate", "good.yaml");
        var bad = await RunAsync(dir, "validate", ".");
        var json = await RunAsync(dir, "validate", "bad.yaml", "-o", "json");

        good.Code.Should().Be(0);
        good.Out.Should().MatchRegex(@"^EXPERIMENT +ACTION +FAULT +TARGET +SOURCE\nchaos/ok +pod-kill +pod-kill +shop app=cart +\S+good\.yaml:3\n1 experiment\(s\) valid\.\n$");
        bad.Code.Should().Be(2);
        bad.Out.Should().Contain($"error: {Path.Combine(dir, "bad.yaml")}:5: spec.action: ").And.Contain("Did you mean \"pod-cpu-stress\"")
            .And.Contain($"error: {Path.Combine(dir, "bad.yaml")}:8: spec.count: ");
        json.Code.Should().Be(2);
        using var doc = JsonDocument.Parse(json.Out);
        doc.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        doc.RootElement.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("path").GetString(), p.GetProperty("line").GetInt32())).Should().Equal(("spec.action", 5), ("spec.count", 8));
        (await RunAsync(dir, "run", "bad.yaml", "--cluster", "emulator")).Code.Should().Be(2, "an invalid set never runs");
        (await RunAsync(dir, "validate", "missing.yaml")).Code.Should().Be(2);
        (await RunAsync(dir, "frobnicate")).Code.Should().Be(2, "an unknown command is invalid usage");
    }

    [Fact]
    public async Task ExitCodes_TellHeldBrokenRefusedAndError_Apart()
    {
        await using var broken = await ShopAsync(o => o.PayloadInstallError = "stress-ng: not found", extraYaml: """
            apiVersion: v1
            kind: Namespace
            metadata: { name: vault, labels: { chaos.gushchin.dev/exclude: "true" } }
            """);
        var dir = TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir, "cpu.yaml"), Manifest("cpu", "action: pod-cpu-stress\nnamespace: shop\nselector: { app: cart }\nduration: 1s\ncpuLoad: 50\nmaxRetries: 0"));
        await File.WriteAllTextAsync(Path.Combine(dir, "vault.yaml"), Manifest("vault", "action: pod-kill\nnamespace: vault\nselector: { app: x }"));
        await File.WriteAllTextAsync(Path.Combine(dir, "dry.yaml"), Manifest("dry", Kill));
        var unreachable = await UnreachableKubeconfigAsync(broken, dir);
        var kube = new[] { "--kubeconfig", broken.KubeconfigPath };

        var failed = await RunAsync(dir, ["run", "cpu.yaml", .. kube]);
        var refused = await RunAsync(dir, ["run", "vault.yaml", .. kube]);
        var dry = await RunAsync(dir, ["run", "dry.yaml", "--dry-run", .. kube]);
        var error = await RunAsync(dir, "run", "dry.yaml", "--kubeconfig", unreachable);

        (failed.Code, refused.Code, dry.Code, error.Code).Should().Be((1, 3, 0, 4), string.Join("\n", failed.Err, refused.Err, dry.Err, error.Err));
        failed.Err.Should().Contain("FAILED chaos/cpu: Failed").And.Contain("stress-ng: not found");
        refused.Err.Should().Contain("REFUSED chaos/vault").And.Contain("chaos.gushchin.dev/exclude=true");
        dry.Out.Should().Contain("DryRun");
        error.Err.Should().StartWith("cluster: http://127.0.0.1:1").And.Contain("chaos: error: ");
        broken.Audit.Writes.Where(w => w.Resource == "pods" && w.Verb == "delete").Should().BeEmpty("the dry run and the refused run wrote nothing");
    }

    [Fact]
    public async Task Check_AsksEachPermission_AndFailsOnADeniedOne()
    {
        await using var cluster = await ShopAsync(extraYaml: """
            apiVersion: v1
            kind: Namespace
            metadata: { name: locked, labels: { pod-security.kubernetes.io/enforce: restricted } }
            """);
        var dir = TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir, "x.yaml"), Manifest("kill", Kill) + "\n---\n" + Manifest("taint", "action: node-taint\nnamespace: shop\nselector: { app: cart }\nduration: 5s\ntaintKey: k")
            + "\n---\n" + Manifest("loss", "action: pod-network-loss\nnamespace: locked\nselector: { app: y }\nduration: 5s"));

        var ok = await RunAsync(dir, "check", "x.yaml", "--kubeconfig", cluster.KubeconfigPath, "-o", "json");
        using var denial = cluster.Authorization.Deny("delete", "pods", "shop");
        var denied = await RunAsync(dir, "check", "x.yaml", "--kubeconfig", cluster.KubeconfigPath);

        ok.Code.Should().Be(0, ok.Out + ok.Err);
        using var json = JsonDocument.Parse(ok.Out);
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("check").GetString()!, c => c.GetProperty("status").GetString() + " " + c.GetProperty("detail").GetString());
        checks["connectivity"].Should().StartWith("pass");
        checks["server version"].Should().StartWith("pass v1.");
        checks["ephemeral containers"].Should().StartWith("pass");
        checks["namespace locked"].Should().StartWith("warn Pod Security enforce: restricted").And.Contain("loss");
        checks["can delete pods in shop"].Should().Be("pass allowed: allowed by the emulator (needed by kill)");
        checks["can update nodes"].Should().StartWith("pass").And.EndWith("(needed by taint)");
        checks.Keys.Should().Contain(["can update pods/ephemeralcontainers in locked", "can create coordination.k8s.io/leases in chaos-testing", "can get secrets in chaos-testing"]);
        denied.Code.Should().Be(3);
        denied.Out.Should().MatchRegex(@"can delete pods in shop\s+fail\s+denied: denied by an ApiAuthorization rule of the emulator \(needed by kill\)");
        cluster.Audit.Writes.Where(w => w.Resource != "selfsubjectaccessreviews").Should().BeEmpty("check only reads and asks");
    }

    [Fact]
    public async Task Run_Verify_AddsSteadyStateProbes_ABrokenOneStopsTheRunBeforeAnyWrite_AndBadOnesAreInvalid()
    {
        await using var shop = await ShopAsync();
        var dir = TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir, "kill.yaml"), Manifest("kill", Kill));
        var kube = new[] { "--kubeconfig", shop.KubeconfigPath };

        var held = await RunAsync(dir, ["run", "kill.yaml", "--verify", "deployment:shop/cart", "--verify", "pods:shop/app=cart@50%", "--recovers-within", "30s", .. kube]);
        var killed = shop.Audit.Writes.Count(w => w.Resource == "pods" && w.Verb == "delete");
        shop.Audit.Clear();
        var broken = await RunAsync(dir, ["run", "kill.yaml", "--verify", "pods:shop/app=checkout", .. kube]);
        var brokenWrites = shop.Audit.Writes.Where(w => w.Resource == "pods").ToList();
        await File.WriteAllTextAsync(Path.Combine(dir, "chaos.json"), """{ "verify": [ "deployment:shop/cart" ], "verifyDuring": "25%" }""");
        var fromConfig = await RunAsync(dir, ["run", "kill.yaml", "--dry-run", .. kube]);
        // Invalid probes are found before the tool connects: it is pointed at a server that does not answer (which exits 4).
        var nowhere = new[] { "--kubeconfig", await UnreachableKubeconfigAsync(shop, dir) };
        var invalid = new[]
        {
            await RunAsync(dir, ["run", "kill.yaml", "--verify", "deploy:shop/cart", .. nowhere]),
            await RunAsync(dir, ["run", "kill.yaml", "--verify", "deployment:Shop/cart", .. nowhere]),
            await RunAsync(dir, ["run", "kill.yaml", "--verify", "pods:shop/app=cart@lots", .. nowhere]),
            await RunAsync(dir, ["run", "kill.yaml", "--verify", "deployment:shop/cart", "--verify-during", "150%", .. nowhere]),
        };
        await File.WriteAllTextAsync(Path.Combine(dir, "chaos.json"), """{ "verify": [ null ] }""");
        var nullEntry = await RunAsync(dir, ["run", "kill.yaml", .. nowhere]);
        await File.WriteAllTextAsync(Path.Combine(dir, "chaos.json"), """{ "verify": null }""");
        var duringWithoutProbe = await RunAsync(dir, ["run", "kill.yaml", "--verify-during", "20%", .. nowhere]);
        var unreached = await RunAsync(dir, ["run", "kill.yaml", "--verify", "deployment:shop/cart", .. nowhere]);

        held.Code.Should().Be(0, held.Err);
        held.Err.Should().Contain("steady state of every experiment: deployment shop/cart available (before, recovers within 30s); at least 50% ready of ");
        killed.Should().Be(1, "the probes held, so the pod was killed");
        broken.Code.Should().Be(1, broken.Err);
        broken.Err.Should().Contain("FAILED chaos/kill").And.Contain("at least 1 ready of");
        brokenWrites.Should().BeEmpty("a steady state broken before the fault stops the run before any write");
        fromConfig.Code.Should().Be(0, fromConfig.Err);
        fromConfig.Err.Should().Contain("steady state of every experiment: deployment shop/cart available (before, during (tolerance 25%), recovers within 60s)");
        unreached.Code.Should().Be(4, "a valid probe lets the tool try the server, which does not answer: " + unreached.Err);
        var refusals = invalid.Append(nullEntry).Append(duringWithoutProbe).ToList();
        refusals.Select(r => r.Code).Should().AllBeEquivalentTo(2, string.Join("\n", refusals.Select(r => r.Err)));
        invalid[0].Err.Should().Contain("--verify \"deploy:shop/cart\": unknown probe \"deploy\"; use deployment:<namespace>/<name>, statefulset:");
        invalid[1].Err.Should().Contain("--verify \"deployment:Shop/cart\": Probe \"deployment Shop/cart available\".Namespace:").And.Contain("Use deployment:<namespace>/<name>");
        invalid[2].Err.Should().Contain("\"@lots\" is not a count (@2) or a percent");
        invalid[3].Err.Should().Contain("--verify-during \"150%\": the share of the hold a probe may be broken, from 0 to 1");
        nullEntry.Err.Should().Contain("verify (in ").And.Contain("an entry is null; use deployment:");
        duringWithoutProbe.Err.Should().Contain("--verify-during changes how the --verify probes are checked, and there is none");
    }

    [Fact]
    public async Task ConfigFile_FoundUpward_GivesDefaults_AndCompletionSuggests()
    {
        var dir = TempDirectory();
        var sub = Directory.CreateDirectory(Path.Combine(dir, "a", "b")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "chaos.json"), """{ "output": "json", "reportDirectory": "stored", /* comments are fine */ "safety": { "maxPercentage": 30 } }""");
        await File.WriteAllTextAsync(Path.Combine(sub, "k.yaml"), Manifest("k", Kill));

        var validate = await RunAsync(sub, "validate", "k.yaml");
        var table = await RunAsync(sub, "validate", "k.yaml", "-o", "table");
        var noReports = await RunAsync(sub, "stats");
        await File.WriteAllTextAsync(Path.Combine(dir, "chaos.json"), """{ "outptu": "json" }""");
        var typo = await RunAsync(sub, "validate", "k.yaml");
        var suggest = await RunAsync(sub, "[suggest:13]", "chaos run --d");
        var bash = await RunAsync(sub, "completion", "bash");

        JsonDocument.Parse(validate.Out).RootElement.GetProperty("valid").GetBoolean().Should().BeTrue();
        table.Out.Should().StartWith("EXPERIMENT");
        noReports.Err.Should().Contain(Path.Combine(dir, "stored"));
        (typo.Code, typo.Err).Should().Match<(int, string)>(t => t.Item1 == 2 && t.Item2.Contains("outptu", StringComparison.Ordinal), typo.Err);
        suggest.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("--default-hold", "--dry-run");
        bash.Out.Should().Contain("complete -o default -F _chaos_complete chaos").And.Contain("[suggest:${COMP_POINT}]");
    }

    [Fact]
    public async Task TheDocsConfigExample_IsAConfigTheToolReads()
    {
        var docs = await File.ReadAllTextAsync(typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliDocs").Value!);
        var start = docs.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var dir = TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(dir, "chaos.json"), docs[start..docs.IndexOf("```", start, StringComparison.Ordinal)]);

        var config = CliConfig.Find(null, dir);

        (config.Context, config.Kubeconfig, config.DefaultHold, config.Safety.MaxPercentage, config.Safety.ProtectedNamespaces.Single()).Should().Be(("staging", "ci/kubeconfig", "30s", 30, "payments"));
        config.Resolve(config.ReportDirectory).Should().Be(Path.Combine(dir, "chaos-reports"));
        (config.Verify.Single(), config.VerifyDuring, config.RecoversWithin).Should().Be(("deployment:shop/cart", "20%", "2m"));
    }
}

using System.Diagnostics;
using System.Reflection;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Cli.Tests;

/// <summary>Runs the tool in process (its entry, with captured streams) or as a process (<c>dotnet Chaos.Testing.Cli.dll</c>).</summary>
internal static class Tool
{
    public const string Shop = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: cart, namespace: shop }
        spec:
          replicas: 4
          selector: { matchLabels: { app: cart } }
          template:
            metadata: { labels: { app: cart } }
            spec: { containers: [ { name: cart, image: example/cart:1.0 } ] }
        """;

    public static async Task<(int Code, string Out, string Err)> RunAsync(string workingDirectory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ChaosCli.RunAsync(args, output, error, workingDirectory);
        return (code, output.ToString(), error.ToString());
    }

    public static async Task<(int Code, string Out, string Err)> RunProcessAsync(string workingDirectory, params string[] args)
    {
        var dll = typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ChaosTool").Value!;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>An emulator with the shop workload, Ready.</summary>
    public static async Task<KubernetesEmulator> ShopAsync(Action<KubernetesEmulatorOptions>? configure = null, string extraYaml = "")
    {
        var emulator = await KubernetesEmulator.StartAsync(configure ?? (_ => { }));
        await emulator.ApplyYamlAsync(Shop + (extraYaml.Length > 0 ? "\n---\n" + extraYaml : string.Empty));
        await UntilAsync(async () => (await emulator.Client.AppsV1.ReadNamespacedDeploymentAsync("cart", "shop")).Status?.ReadyReplicas == 4, "cart ready");
        emulator.Audit.Clear();
        return emulator;
    }

    /// <summary>A copy of <paramref name="emulator"/>'s kubeconfig in <paramref name="dir"/> that points at a port nothing answers on.</summary>
    public static async Task<string> UnreachableKubeconfigAsync(KubernetesEmulator emulator, string dir)
    {
        var path = Path.Combine(dir, "unreachable.kubeconfig");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(emulator.KubeconfigPath)).Replace(emulator.BaseAddress.GetLeftPart(UriPartial.Authority), "http://127.0.0.1:1", StringComparison.Ordinal));
        return path;
    }

    public static string Manifest(string name, string spec) =>
        $"apiVersion: chaos.gushchin.dev/v1alpha1\nkind: ChaosExperiment\nmetadata: {{ name: {name}, namespace: chaos }}\nspec:\n  " + spec.Replace("\n", "\n  ", StringComparison.Ordinal);

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "chaos-cli-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            while (!await condition())
            {
                await Task.Delay(10, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }

    public static async Task<IReadOnlyList<V1Node>> NodesAsync(IKubernetes client) => (await client.CoreV1.ListNodeAsync()).Items.ToList();
}

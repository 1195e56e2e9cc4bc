using System.Diagnostics;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.EndToEnd;

/// <summary>
/// Shared helpers of the process-runtime end-to-end tests: pods, their IPs, the moment a payload has installed, and what a
/// pod's network namespace holds (read from the host, the namespace found by the pod's IP).
/// </summary>
internal static partial class EndToEndCluster
{
    public static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Creates a busybox pod running <paramref name="command"/> with the label app=<paramref name="name"/>.</summary>
    public static Task<V1Pod> CreatePodAsync(IKubernetes client, string ns, string name, params string[] command) =>
        client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = command }] },
        }, ns);

    /// <summary>Creates an echo server pod (label app=<paramref name="name"/>, port 8080).</summary>
    public static Task<V1Pod> CreateEchoAsync(IKubernetes client, string ns, string name) =>
        client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "main", Image = "chaos-testing/echo:1", Env = [new V1EnvVar { Name = "ECHO_TEXT", Value = name }] }],
            },
        }, ns);

    /// <summary>The pod's IP once it has one, and, with <paramref name="httpPort"/>, once it answers HTTP there.</summary>
    public static async Task<string> PodIpAsync(IKubernetes client, string ns, string name, int? httpPort = null)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(name, ns);
            if (pod.Status?.PodIP is { } ip)
            {
                if (httpPort is not { } port)
                {
                    return ip;
                }

                try
                {
                    await Http.GetByteArrayAsync($"http://{ip}:{port}/");
                    return ip;
                }
                catch (HttpRequestException)
                {
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the pod {ns}/{name} did not come up");
    }

    /// <summary>Runs the experiment and returns once its payload in <paramref name="pod"/> has said it installed.</summary>
    public static async Task<Task<ChaosResult>> StartAndWaitInstalledAsync(IKubernetes client, string ns, string pod, ChaosExperiment experiment)
    {
        var run = experiment.RunAsync(client);
        var installed = UntilInstalledAsync(client, ns, pod);
        await Task.WhenAny(run, installed);
        if (run.IsCompleted && !installed.IsCompleted)
        {
            throw new InvalidOperationException((await run).ToReport());
        }

        await installed;
        return run;
    }

    public static async Task UntilInstalledAsync(IKubernetes client, string ns, string name)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(name, ns);
            foreach (var status in pod.Status?.EphemeralContainerStatuses ?? [])
            {
                if (status.State?.Running is not null
                    && (await LogAsync(client, ns, name, status.Name)).Contains(PayloadProtocol.InstalledMarker, StringComparison.Ordinal))
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the payload did not install: " + await EphemeralLogsAsync(client, ns, name));
    }

    /// <summary>Each ephemeral container's state and log, for a failure message.</summary>
    public static async Task<string> EphemeralLogsAsync(IKubernetes client, string ns, string name)
    {
        var last = await client.CoreV1.ReadNamespacedPodAsync(name, ns);
        var text = new System.Text.StringBuilder();
        foreach (var status in last.Status?.EphemeralContainerStatuses ?? [])
        {
            text.Append($"{status.Name}: {KubernetesJson.Serialize(status.State)}; log: ").Append(await LogAsync(client, ns, name, status.Name));
        }

        return text.ToString();
    }

    public static async Task<string> LogAsync(IKubernetes client, string ns, string name, string? container = null)
    {
        try
        {
            using var log = await client.CoreV1.ReadNamespacedPodLogAsync(name, ns, container: container);
            return await new StreamReader(log).ReadToEndAsync();
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            return e.Response.Content;
        }
    }

    /// <summary>A probe pod's rounds so far (its lines "round &lt;n&gt; &lt;outcome&gt;...), each as its outcomes, e.g. "ok fail".</summary>
    public static async Task<List<string>> RoundsAsync(IKubernetes client, string ns, string pod) =>
        [.. (await LogAsync(client, ns, pod)).Split('\n')
            .Where(l => l.StartsWith("round ", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ').Skip(2)))];

    /// <summary>Waits for <paramref name="count"/> rounds, failing if <paramref name="hold"/> ends first.</summary>
    public static async Task<List<string>> UntilRoundsAsync(IKubernetes client, string ns, string pod, int count, Task hold)
    {
        while (true)
        {
            var rounds = await RoundsAsync(client, ns, pod);
            if (rounds.Count >= count)
            {
                return rounds;
            }

            if (hold.IsCompleted)
            {
                throw new TimeoutException($"the probe printed {rounds.Count} rounds, not {count}, before the hold ended");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits for a round at index ≥ <paramref name="from"/> whose outcome is <paramref name="outcome"/>.</summary>
    public static async Task<string> UntilRoundAsync(IKubernetes client, string ns, string pod, int from, string outcome, string when)
    {
        var watch = Stopwatch.StartNew();
        var rounds = new List<string>();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            rounds = await RoundsAsync(client, ns, pod);
            if (rounds.Skip(from).Contains(outcome))
            {
                return outcome;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no round \"{outcome}\" {when}; rounds from {from}: {string.Join(", ", rounds.Skip(from))}");
    }

    /// <summary>The network namespace holding <paramref name="podIp"/>.</summary>
    public static string Netns(string podIp)
    {
        foreach (var line in Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var netns = line.Split(' ')[0];
            if (Run("ip", "-n", netns, "-4", "-o", "addr").Contains($" {podIp}/", StringComparison.Ordinal))
            {
                return netns;
            }
        }

        throw new InvalidOperationException($"no network namespace has {podIp}");
    }

    /// <summary>The qdiscs of the pod's eth0.</summary>
    /// <summary>Where a count of <paramref name="n"/> trials at probability <paramref name="p"/> lies: n·p ± 4.5 σ, σ = √(n·p·(1−p)), rounded outwards.</summary>
    public static (int Low, int High) BinomialBound(int n, double p)
    {
        var sigma = Math.Sqrt(n * p * (1 - p));
        return ((int)Math.Floor(n * p - 4.5 * sigma), (int)Math.Ceiling(n * p + 4.5 * sigma));
    }

    public static string Qdiscs(string podIp) => Run("tc", "-n", Netns(podIp), "qdisc", "show", "dev", "eth0");

    /// <summary>The payload tags (<c>chaos-…</c> comments) of the iptables rules in the pod's network namespace.</summary>
    public static IReadOnlyList<string> ChaosRuleTags(string podIp) =>
        [.. ChaosComment().Matches(Run("ip", "netns", "exec", Netns(podIp), "iptables-save")).Select(m => m.Groups[1].Value).Distinct()];

    public static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"--comment ""?(chaos-[^""\s]+)")]
    private static partial Regex ChaosComment();
}

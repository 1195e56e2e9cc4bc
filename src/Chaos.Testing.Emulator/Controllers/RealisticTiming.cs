using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// The realistic timing profile of the simulated kubelet (documented on the public <c>EmulatorTiming.Realistic</c>
/// and in docs/emulator.md): seconds to create the sandbox, pull images a node does not have and start containers;
/// readiness at the readiness probe's first passing run; termination by a preStop sleep, then SIGTERM, which a
/// shell or sleep as PID 1 ignores until the grace period ends. It remembers the images each node has pulled.
/// </summary>
internal sealed partial class RealisticTiming
{
    /// <summary>Scheduling done, the pod sandbox (pause container, network) is created.</summary>
    public static readonly TimeSpan Sandbox = TimeSpan.FromSeconds(1);

    /// <summary>Pulling an image the node does not have.</summary>
    public static readonly TimeSpan ImagePull = TimeSpan.FromSeconds(5);

    /// <summary>Asking the registry about an image the node has, for <c>imagePullPolicy: Always</c>.</summary>
    public static readonly TimeSpan RegistryCheck = TimeSpan.FromSeconds(1);

    /// <summary>Creating and starting the containers once their images are there.</summary>
    public static readonly TimeSpan ContainerStart = TimeSpan.FromSeconds(1);

    /// <summary>How long a process that handles SIGTERM takes to finish its work and exit.</summary>
    public static readonly TimeSpan SigtermExit = TimeSpan.FromSeconds(2);

    private static readonly HashSet<string> NoSigtermHandler = new(StringComparer.Ordinal) { "sh", "bash", "ash", "dash", "zsh", "sleep", "tail" };

    // When each image is (or will be) on each node: an image being pulled is ready when its pull ends.
    private readonly Dictionary<(string Node, string Image), DateTimeOffset> _images = [];

    /// <summary>How long after <paramref name="now"/> (the pod was just bound) its containers run; records the pulls.</summary>
    public TimeSpan StartDelay(StoredObject pod, string node, DateTimeOffset now)
    {
        var containers = (pod.Node["spec"]?["initContainers"] as JsonArray ?? []).Concat(pod.Node["spec"]?["containers"] as JsonArray ?? []);
        return PullImages(containers, node, now + Sandbox) + ContainerStart - now;
    }

    /// <summary>How long after <paramref name="now"/> containers whose image changed run again; records the pulls.</summary>
    public TimeSpan RestartDelay(IEnumerable<JsonNode?> changedContainers, string node, DateTimeOffset now) =>
        PullImages(changedContainers, node, now) + ContainerStart - now;

    /// <summary>How long after its containers started the pod is Ready: the slowest container's readiness probe.</summary>
    public static TimeSpan ReadyDelay(StoredObject pod) =>
        (pod.Node["spec"]?["containers"] as JsonArray ?? []).Select(c => ProbeDelay(c!)).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>How long a deleted pod takes to end with <paramref name="grace"/>: its slowest container, at most the grace period.</summary>
    public static TimeSpan TerminationDelay(StoredObject pod, TimeSpan grace)
    {
        var slowest = TimeSpan.Zero;
        foreach (var container in pod.Node["spec"]?["containers"] as JsonArray ?? [])
        {
            var ends = IgnoresSigterm(container!) ? grace : PreStop(container!) + SigtermExit;
            slowest = ends > slowest ? ends : slowest;
        }

        return slowest < grace ? slowest : grace;
    }

    private DateTimeOffset PullImages(IEnumerable<JsonNode?> containers, string node, DateTimeOffset at)
    {
        foreach (var container in containers)
        {
            var image = container?["image"]?.ToString();
            var policy = container?["imagePullPolicy"]?.ToString();
            if (string.IsNullOrEmpty(image) || policy == "Never")
            {
                continue;
            }

            if (_images.TryGetValue((node, image), out var present))
            {
                at = (present > at ? present : at) + (policy == "Always" ? RegistryCheck : TimeSpan.Zero);
                continue;
            }

            // The kubelet pulls one image at a time (serializeImagePulls, its default).
            at += ImagePull;
            _images[(node, image)] = at;
        }

        return at;
    }

    // Probes run every periodSeconds from the container's start; the first one at or after initialDelaySeconds passes
    // (a started container answers), and a startupProbe holds readiness probes back until it has passed.
    private static TimeSpan ProbeDelay(JsonNode container)
    {
        var started = container["startupProbe"] is JsonObject startup ? FirstRun(startup, 0) : 0;
        if (container["readinessProbe"] is not JsonObject readiness)
        {
            return TimeSpan.FromSeconds(started);
        }

        var period = Seconds(readiness, "periodSeconds", 10);
        var successes = Seconds(readiness, "successThreshold", 1);
        return TimeSpan.FromSeconds(FirstRun(readiness, started) + ((successes - 1) * period));
    }

    private static long FirstRun(JsonObject probe, long notBefore)
    {
        var period = Seconds(probe, "periodSeconds", 10);
        var from = Math.Max(Seconds(probe, "initialDelaySeconds", 0), notBefore);
        return (from + period - 1) / period * period;
    }

    private static long Seconds(JsonObject probe, string field, long fallback) =>
        probe[field] is { } value && value.ToInt64() > 0 ? value.ToInt64() : fallback;

    // A shell, sleep or tail as the container's command runs as PID 1 without a SIGTERM handler, and the kernel does not
    // apply the default action to PID 1: the signal is ignored. A script that traps TERM handles it.
    private static bool IgnoresSigterm(JsonNode container)
    {
        var command = (container["command"] as JsonArray ?? []).Select(c => c?.ToString() ?? string.Empty).ToList();
        if (command.Count == 0)
        {
            return false; // the image's entrypoint: a server, which handles SIGTERM
        }

        var script = string.Join(' ', command.Concat((container["args"] as JsonArray ?? []).Select(a => a?.ToString())));
        return NoSigtermHandler.Contains(Path.GetFileName(command[0])) && !TrapsTerm().IsMatch(script);
    }

    // A preStop hook that sleeps delays SIGTERM by its seconds: the sleep action, or an exec running `sleep N`.
    private static TimeSpan PreStop(JsonNode container)
    {
        var hook = container["lifecycle"]?["preStop"];
        if (hook?["sleep"]?["seconds"] is { } seconds)
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds.ToInt64()));
        }

        var exec = string.Join(' ', (hook?["exec"]?["command"] as JsonArray ?? []).Select(c => c?.ToString()));
        var match = SleepCommand().Match(exec);
        return match.Success ? TimeSpan.FromSeconds(long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)) : TimeSpan.Zero;
    }

    [GeneratedRegex(@"\btrap\b.*\b(TERM|SIGTERM|15)\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TrapsTerm();

    [GeneratedRegex(@"\bsleep\s+(\d{1,6})\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SleepCommand();
}

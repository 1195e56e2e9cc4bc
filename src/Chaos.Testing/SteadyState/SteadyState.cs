using System.Diagnostics;

namespace Chaos.Testing;

/// <summary>Steady-state probes. Kubernetes probes watch (they react at the event); HTTP and custom probes poll.</summary>
public static class SteadyState
{
    /// <summary>At least <paramref name="atLeast"/> pods of <paramref name="target"/> are Ready.</summary>
    /// <param name="target">The pods (one namespace).</param>
    /// <param name="atLeast">The smallest number of Ready pods (at least 1).</param>
    /// <returns>A probe.</returns>
    public static SteadyStateProbe PodsReady(PodTarget target, int atLeast)
    {
        ArgumentNullException.ThrowIfNull(target);
        var name = $"at least {atLeast} ready of {target}";
        var errors = TargetErrors(target, name);
        if (atLeast < 1)
        {
            errors.Add($"Probe \"{name}\".AtLeast: must be at least 1, was {atLeast}.");
        }

        return new SteadyStateProbe(name, runtime => new PodReadinessSession(runtime, Single(target), target.LabelSelector,
            (ready, total) => (ready >= atLeast, $"{ready} of {total} pods ready (need {atLeast})"), target.FieldSelector, Filter(target)), errors);
    }

    /// <summary>At least <paramref name="percent"/> percent of the pods of <paramref name="target"/> are Ready.</summary>
    /// <param name="target">The pods (one namespace).</param>
    /// <param name="percent">Between 1 and 100.</param>
    /// <returns>A probe.</returns>
    public static SteadyStateProbe PodsReadyPercent(PodTarget target, int percent)
    {
        ArgumentNullException.ThrowIfNull(target);
        var name = $"at least {percent}% ready of {target}";
        var errors = TargetErrors(target, name);
        if (percent is < 1 or > 100)
        {
            errors.Add($"Probe \"{name}\".Percent: must be between 1 and 100, was {percent}.");
        }

        return new SteadyStateProbe(name, runtime =>
        {
            // The share is of the pods there were at the start: a pod that is gone counts as not ready.
            var baseline = 0;
            return new PodReadinessSession(runtime, Single(target), target.LabelSelector, (ready, total) =>
            {
                baseline = Math.Max(baseline, total);
                return (baseline > 0 && ready * 100 >= percent * baseline, $"{ready} of {baseline} pods ready (need {percent}%)");
            }, target.FieldSelector, Filter(target));
        }, errors);
    }

    /// <summary>The Deployment has as many Ready pods as it had replicas when the experiment started.</summary>
    /// <param name="namespace">The namespace.</param>
    /// <param name="name">The Deployment.</param>
    /// <returns>A probe.</returns>
    public static SteadyStateProbe DeploymentAvailable(string @namespace, string name) => Workload("Deployment", @namespace, name);

    /// <summary>The StatefulSet has as many Ready pods as it had replicas when the experiment started.</summary>
    /// <param name="namespace">The namespace.</param>
    /// <param name="name">The StatefulSet.</param>
    /// <returns>A probe.</returns>
    public static SteadyStateProbe StatefulSetReady(string @namespace, string name) => Workload("StatefulSet", @namespace, name);

    /// <summary>An HTTP endpoint answers as expected (status, latency, success rate over a window). Polls.</summary>
    /// <param name="url">An absolute http or https URL.</param>
    /// <param name="configure">Changes to the default <see cref="HttpProbeOptions"/>.</param>
    /// <returns>A probe.</returns>
    public static SteadyStateProbe Http(string url, Action<HttpProbeOptions>? configure = null)
    {
        var options = new HttpProbeOptions();
        configure?.Invoke(options);
        // The name is shown in results, reports and logs: credentials in the URL are not.
        var name = $"HTTP GET {Credentials.RedactUrl(url ?? string.Empty)}";
        var errors = new List<string>();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"Probe \"{name}\".Url: must be an absolute http or https URL, was \"{Credentials.RedactUrl(url ?? string.Empty)}\".");
        }

        options.Validate(name, errors);
        return new SteadyStateProbe(name, runtime =>
        {
            var client = new HttpClient { Timeout = options.Timeout };
            var window = new Queue<(DateTimeOffset At, bool Ok)>();
            return new PollingSession(runtime.Time, options.Interval, async ct =>
            {
                var started = Stopwatch.GetTimestamp();
                bool ok;
                string observed;
                try
                {
                    using var response = await client.GetAsync(uri, ct);
                    var latency = Stopwatch.GetElapsedTime(started);
                    ok = response.StatusCode == options.ExpectedStatus && (options.MaxLatency is not { } max || latency <= max);
                    observed = $"{(int)response.StatusCode} in {latency.TotalMilliseconds:F0} ms";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    ok = false;
                    observed = ex.Message;
                }

                var now = runtime.Time.GetUtcNow();
                window.Enqueue((now, ok));
                while (window.Count > 0 && window.Peek().At < now - options.Window)
                {
                    window.Dequeue();
                }

                var rate = window.Count(w => w.Ok) / (double)window.Count;
                return (rate >= options.MinSuccessRate, $"{observed}; success rate {Formatting.Percent(rate)} over {options.Window.TotalSeconds:0.#}s");
            }, client);
        }, errors);
    }

    /// <summary>A condition of your own, polled at <paramref name="interval"/> (default 250 ms). An exception counts as not holding.</summary>
    /// <param name="name">A name for results and messages.</param>
    /// <param name="check">Returns true while the steady state holds.</param>
    /// <param name="interval">The time between checks.</param>
    /// <returns>A probe.</returns>
    public static SteadyStateProbe Custom(string name, Func<CancellationToken, Task<bool>> check, TimeSpan? interval = null)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("Probe.Name: a custom probe needs a name for results and failure messages.");
            name = "custom";
        }

        if (check is null)
        {
            errors.Add($"Probe \"{name}\".Check: the delegate must not be null.");
        }

        var every = interval ?? TimeSpan.FromMilliseconds(250);
        if (every <= TimeSpan.Zero)
        {
            errors.Add($"Probe \"{name}\".Interval: must be more than 0, was {every}.");
        }

        return new SteadyStateProbe(name, runtime => new PollingSession(runtime.Time, every, async ct =>
        {
            var held = await check!(ct);
            return (held, held ? "true" : "false");
        }), errors);
    }

    private static SteadyStateProbe Workload(string kind, string ns, string name)
    {
        var probeName = $"{kind.ToLowerInvariant()} {ns}/{name} {(kind == "Deployment" ? "available" : "ready")}";
        var errors = new List<string>();
        if (KubernetesNames.CheckNamespace(ns) is { } nsProblem)
        {
            errors.Add($"Probe \"{probeName}\".Namespace: \"{ns}\" {nsProblem}.");
        }

        if (KubernetesNames.CheckName(name) is { } nameProblem)
        {
            errors.Add($"Probe \"{probeName}\".Name: \"{name}\" {nameProblem}.");
        }

        return new SteadyStateProbe(probeName, runtime => new WorkloadSession(runtime, kind, ns, name), errors);
    }

    private static List<string> TargetErrors(PodTarget target, string name)
    {
        var errors = new List<string>();
        target.Validate(errors);
        if (target.Namespaces.Length > 1)
        {
            errors.Add($"Probe \"{name}\".Target: a readiness probe watches one namespace, got {target.Namespaces.Length}; use one probe per namespace.");
        }

        return errors;
    }

    private static Func<k8s.Models.V1Pod, bool> Filter(PodTarget target) =>
        pod => (target.Names.IsEmpty || target.Names.Contains(pod.Metadata.Name)) && !target.IsExcluded(pod);

    private static string Single(PodTarget target) => target.Namespaces.IsDefaultOrEmpty ? "default" : target.Namespaces[0];
}

using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Chaos.Testing payloads, simulated. No command runs in the emulator, so a payload's script cannot end it; payloads
/// declare their lifetime in their environment instead (<see cref="PayloadProtocol"/>), and this is where the emulator
/// reads it: when an ephemeral payload container or a payload pod exits, what it prints, and how it fails when
/// <see cref="KubeletSettings.PayloadInstallError"/> is set. The kubelet calls it for running pods, the API
/// server for <c>pods/log</c>.
/// </summary>
internal sealed class PayloadSimulation
{
    private readonly ResourceStore _store;
    private readonly KubeletSettings _options;
    private readonly ControllerTimers _timers;

    public PayloadSimulation(ResourceStore store, KubeletSettings options, ControllerTimers timers)
    {
        _store = store;
        _options = options;
        _timers = timers;
    }

    /// <summary>
    /// What a payload container prints once it runs (<see cref="PayloadProtocol.InstalledMarker"/>), or null for a
    /// container that is not a payload (it prints nothing). A container that failed prints its termination message
    /// instead, payload or not; that is the API server's to say.
    /// </summary>
    public static string? Log(JsonNode? container) =>
        EnvValue(container, PayloadProtocol.HoldSecondsVariable) is not null ? PayloadProtocol.InstalledMarker : null;

    /// <summary>
    /// The state of an ephemeral container that just started: running, except a payload (it declares
    /// <see cref="PayloadProtocol.HoldSecondsVariable"/>) when <see cref="KubeletSettings.PayloadInstallError"/>
    /// is set, which has exited 1 at once with that text as message.
    /// </summary>
    public JsonObject EphemeralStartState(JsonNode container, DateTimeOffset now)
    {
        var image = container["image"]?.ToString() ?? string.Empty;
        if (_options.UnpullableImages?.Contains(image) == true)
        {
            return new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ErrImagePull", ["message"] = $"pull access denied for {image}" } };
        }

        var isPayload = EnvValue(container, PayloadProtocol.HoldSecondsVariable) is not null;
        return isPayload && _options.PayloadInstallError is { } error
            ? new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = 1,
                    ["reason"] = "Error",
                    ["message"] = error,
                    ["startedAt"] = Admission.FormatTime(now),
                    ["finishedAt"] = Admission.FormatTime(now),
                },
            }
            : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Admission.FormatTime(now) } };
    }

    /// <summary>
    /// A pod that never restarts (<c>restartPolicy: Never</c>) whose every container declares
    /// <see cref="PayloadProtocol.HoldSecondsVariable"/> is a Chaos.Testing payload pod: it succeeds (exit 0) once the
    /// longest hold has passed, as its script would; with <see cref="KubeletSettings.PayloadInstallError"/> a
    /// payload pod holding a second or more fails at once (exit 1, that text as message). Returns whether the pod is a
    /// payload pod that ended now (the kubelet then leaves it alone for this pass).
    /// </summary>
    public bool CompletePayloadPod(StoredObject pod, DateTimeOffset now)
    {
        if (pod.Node["spec"]?["restartPolicy"]?.ToString() != "Never")
        {
            return false;
        }

        var holds = new List<double>();
        foreach (var container in (pod.Node["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var hold = EnvValue(container, PayloadProtocol.HoldSecondsVariable);
            if (hold is null || !double.TryParse(hold, CultureInfo.InvariantCulture, out var seconds))
            {
                return false;
            }

            holds.Add(seconds);
        }

        if (holds.Count == 0)
        {
            return false;
        }

        // A payload (it holds a second or more; a cleanup pod declares 0) fails at once when told to.
        var error = holds.Max() >= 1 ? _options.PayloadInstallError : null;
        if (error is null && !_timers.IsDue($"complete:{pod.Uid}", TimeSpan.FromSeconds(holds.Max()), now))
        {
            return false;
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var status = o["status"]!.AsObject();
            status["phase"] = error is null ? "Succeeded" : "Failed";
            foreach (var container in (status["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                container["ready"] = false;
                container["started"] = false;
                container.Put("state", new JsonObject
                {
                    ["terminated"] = error is null
                        ? new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["finishedAt"] = Admission.FormatTime(now) }
                        : new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["message"] = error, ["finishedAt"] = Admission.FormatTime(now) },
                });
            }

            var existing = status["conditions"] as JsonArray;
            ObjectStatus.SetPodConditions(o,
            [
                ObjectStatus.PodCondition(_options.TimeProvider, existing, "Ready", false, "PodCompleted", null),
                ObjectStatus.PodCondition(_options.TimeProvider, existing, "ContainersReady", false, "PodCompleted", null),
            ]);
            return true;
        });
        return true;
    }

    /// <summary>
    /// Ephemeral containers would otherwise run forever. One with <see cref="PayloadProtocol.HoldSecondsVariable"/> terminates
    /// (Completed, exit 0) once that time has passed; a cleanup container (<see cref="PayloadProtocol.StopsVariable"/>)
    /// terminates at once and so does the payload it names, as its TERM trap would make it. Other ephemeral containers
    /// keep running.
    /// </summary>
    public void FinishEphemeralContainers(StoredObject pod, DateTimeOffset now)
    {
        var specs = (pod.Node["spec"]?["ephemeralContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var statuses = (pod.Node["status"]?["ephemeralContainerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var finish = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var name = spec["name"]!.ToString();
            var status = statuses.FirstOrDefault(s => s["name"]?.ToString() == name);
            if (status?["state"]?["running"] is null)
            {
                continue;
            }

            // Read like every other env lookup here (first match): a repeated or nameless variable must not stop the kubelet.
            if (EnvValue(spec, PayloadProtocol.StopsVariable) is { } stops)
            {
                finish.Add(name);
                finish.Add(stops);
            }
            else if (EnvValue(spec, PayloadProtocol.HoldSecondsVariable) is { } held
                && double.TryParse(held, CultureInfo.InvariantCulture, out var seconds)
                && _timers.IsDue($"ephemeral-{name}:{pod.Uid}", TimeSpan.FromSeconds(seconds), now))
            {
                finish.Add(name);
            }
        }

        if (!statuses.Any(s => finish.Contains(s["name"]!.ToString()) && s["state"]?["running"] is not null))
        {
            return;
        }

        _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o =>
        {
            var changed = false;
            foreach (var status in (o["status"]?["ephemeralContainerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (finish.Contains(status["name"]!.ToString()) && status["state"]?["running"] is JsonObject running)
                {
                    status.Put("state", new JsonObject
                    {
                        ["terminated"] = new JsonObject
                        {
                            ["exitCode"] = 0,
                            ["reason"] = "Completed",
                            ["startedAt"] = running["startedAt"]?.DeepClone(),
                            ["finishedAt"] = Admission.FormatTime(now),
                        },
                    });
                    changed = true;
                }
            }

            return changed;
        });
    }

    /// <summary>The value of environment variable <paramref name="name"/> declared by a container spec, or null.</summary>
    private static string? EnvValue(JsonNode? container, string name) =>
        (container?["env"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(e => e["name"]?.ToString() == name) is { } variable
            ? variable["value"]?.ToString() ?? string.Empty
            : null;
}

using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Writes a Kubernetes Event on each affected object, so <c>kubectl describe</c> shows the chaos.</summary>
internal sealed class ChaosEvents
{
    public const string Component = "chaos-testing";

    private readonly IKubernetes _client;
    private readonly ApiCalls _api;
    private readonly ExperimentRecorder _recorder;
    private readonly string _experimentId;
    private readonly bool _enabled;

    public ChaosEvents(IKubernetes client, ApiCalls api, ExperimentRecorder recorder, string experimentId, bool enabled)
    {
        _client = client;
        _api = api;
        _recorder = recorder;
        _experimentId = experimentId;
        _enabled = enabled;
    }

    /// <summary>Records an event; a failure is reported in the result, never fails the experiment.</summary>
    public Task PublishAsync(V1Pod pod, string reason, string message, CancellationToken cancellationToken) =>
        PublishAsync("Pod", pod.Metadata, reason, message, cancellationToken);

    /// <summary>Records an event on any object (events of cluster-scoped objects such as nodes go to <c>default</c>, as the kubelet's do).</summary>
    public async Task PublishAsync(string kind, V1ObjectMeta target, string reason, string message, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return;
        }

        var now = _recorder.Now.UtcDateTime;
        var ns = target.NamespaceProperty ?? "default";
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"{target.Name}.chaos-",
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { ["chaos.testing/experiment"] = _experimentId },
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = kind,
                Name = target.Name,
                NamespaceProperty = target.NamespaceProperty,
                Uid = target.Uid,
            },
            Reason = reason,
            Message = $"{message} (Chaos.Testing experiment {_experimentId})",
            Type = reason == "ChaosRecovered" ? "Normal" : "Warning",
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = _experimentId,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await _api.CallAsync("create", "events", ns,
                ct => _client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _recorder.Error($"could not record the {reason} event on {kind.ToLowerInvariant()} {(target.NamespaceProperty is null ? target.Name : $"{target.NamespaceProperty}/{target.Name}")}: {ex.Message}", ex);
        }
    }
}

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
    public async Task PublishAsync(V1Pod pod, string reason, string message, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return;
        }

        var now = _recorder.Now.UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"{pod.Metadata.Name}.chaos-",
                NamespaceProperty = pod.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string> { ["chaos.testing/experiment"] = _experimentId },
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Name = pod.Metadata.Name,
                NamespaceProperty = pod.Metadata.NamespaceProperty,
                Uid = pod.Metadata.Uid,
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
            await _api.CallAsync("create", "events", pod.Metadata.NamespaceProperty,
                ct => _client.CoreV1.CreateNamespacedEventAsync(ev, pod.Metadata.NamespaceProperty, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _recorder.Error($"could not record the {reason} event on pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}: {ex.Message}", ex);
        }
    }
}

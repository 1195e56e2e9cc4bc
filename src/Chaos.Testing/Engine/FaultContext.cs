using k8s;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>What a fault needs while it injects and recovers.</summary>
internal sealed record FaultContext(
    IKubernetes Client,
    string ExperimentId,
    ApiCalls Api,
    ExperimentRecorder Recorder,
    ChaosEvents Events,
    TimeProvider Time,
    ILogger Logger);

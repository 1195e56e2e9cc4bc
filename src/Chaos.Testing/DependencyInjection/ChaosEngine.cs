using k8s;
using Microsoft.Extensions.Logging;

namespace Chaos.Testing;

/// <summary>The registered <see cref="IChaosEngine"/>.</summary>
internal sealed class ChaosEngine(IKubernetes client, ChaosTestingOptions options, TimeProvider time, ILoggerFactory? loggers = null) : IChaosEngine
{
    public Task<ChaosResult> RunAsync(ChaosExperiment experiment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var configured = experiment with
        {
            BaseSafety = options.Safety.Clone(),
            EmitEvents = experiment.EmitEvents && options.EmitEvents,
            Logger = experiment.Logger ?? loggers?.CreateLogger("Chaos.Testing"),
            Time = experiment.Time == TimeProvider.System ? time : experiment.Time,
        };
        return configured.RunAsync(client, cancellationToken);
    }
}

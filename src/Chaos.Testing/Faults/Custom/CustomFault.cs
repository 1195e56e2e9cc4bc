using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>The custom fault's entry in the catalog and its crash restore: the recovery the user registered by name.</summary>
internal sealed class CustomFault : ICatalogFault
{
    /// <summary>The name of a custom fault given none.</summary>
    public const string DefaultName = "custom";

    public static FaultDescriptor Descriptor { get; } = new()
    {
        Name = "custom",
        Target = FaultTargetKind.Pod | FaultTargetKind.Node,
        Mechanism = FaultMechanism.Write,
        Permissions = [.. FaultPermission.Core("pods", "update"), .. FaultPermission.Core("nodes", "update")],
        Restore = new CustomRestore(),
        Sample = t => t.Pods.Inject((_, _) => Task.CompletedTask, (_, _) => Task.CompletedTask, "sample"),
    };

    internal static CustomFaultContext ContextFor(IKubernetes client, string experimentId, IKubernetesObject<V1ObjectMeta> target) =>
        new(client, experimentId, target is V1Pod pod ? [pod] : [], target is V1Node node ? [node] : []);

    /// <summary>What recovery needs: the name under which the user registers the recovery with the janitor.</summary>
    internal sealed record Record
    {
        /// <summary>Gets the custom fault's name.</summary>
        public required string Name { get; init; }
    }

    /// <summary>Runs the recovery registered for the fault's name (<see cref="SweepOptions.RecoverCustom"/>), then drops the entry.</summary>
    private sealed class CustomRestore : ICrashRestore
    {
        public async Task<string> RestoreAsync(RestoreContext context, IKubernetesObject<V1ObjectMeta> target, LedgerEntry entry, CancellationToken cancellationToken)
        {
            var name = LedgerRecord.Read<Record>(entry).Name;
            if (!context.CustomRecoveries.TryGetValue(name, out var recover))
            {
                throw new InvalidOperationException(
                    $"custom fault \"{name}\" has no registered recovery; pass it with new SweepOptions().RecoverCustom(\"{name}\", recover) and sweep again (the ledger entry stays until then)");
            }

            await LedgerWrites.UntilDoneAsync(context.Time, () => recover(ContextFor(context.Client, entry.Experiment, target), cancellationToken), cancellationToken, retryConflicts: true);
            await LedgerWrites.RemoveEntryAsync(context.Client, context.Api, context.Time, target, entry.Experiment, cancellationToken);
            return "custom recovery ran";
        }
    }
}

/// <summary>User delegates wrapped in the engine's ledger: entry first, then inject; recover, then entry removed.</summary>
internal sealed class CustomFault<T>(string name, Func<CustomFaultContext, CancellationToken, Task>? inject, Func<CustomFaultContext, CancellationToken, Task>? recover) : IFault<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public string Verb => name == CustomFault.DefaultName ? "inject a custom fault into" : $"inject \"{name}\" into";

    /// <summary>Gets the catalog's name for every custom fault (the user's name is in the description).</summary>
    public string Name => CustomFault.Descriptor.Name;

    public string? OperatorAction => null;

    public void Validate(ICollection<string> errors)
    {
        if (inject is null)
        {
            errors.Add("Custom.Inject: the inject delegate is null; pass an async (ctx, ct) => ... that applies the fault.");
        }

        if (recover is null)
        {
            errors.Add("Custom.Recover: the recover delegate is null; pass an async (ctx, ct) => ... that undoes the fault (it must be idempotent).");
        }

        if (string.IsNullOrEmpty(name) || name.Length > 40 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            errors.Add($"Custom.Name: must be 1-40 lowercase letters, digits or '-', e.g. \"break-config\", was \"{name}\".");
        }
    }

    public Task CheckTargetsAsync(FaultContext context, IReadOnlyList<T> targets, SafetyOptions safety, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task InjectAsync(FaultContext context, IReadOnlyList<T> targets, CancellationToken cancellationToken)
    {
        var live = new List<T>();
        foreach (var target in targets)
        {
            var written = await LedgerWrites.UpdateAsync(context.Client, context.Api, target, current =>
            {
                if (Ledger.Has(current.Metadata, context.ExperimentId))
                {
                    return false;
                }

                Ledger.Add(current.Metadata, context.LedgerEntry(CustomFault.Descriptor.Name, new CustomFault.Record { Name = name }));
                return true;
            }, cancellationToken);
            if (written is not null)
            {
                live.Add(written);
            }
        }

        await inject!(ContextFor(context.Client, context.ExperimentId, live), cancellationToken);
        foreach (var target in live)
        {
            context.Recorder.Affected(KindOf(target), target.Metadata.NamespaceProperty, target.Metadata.Name, $"custom fault \"{name}\" injected");
            await context.Events.PublishAsync(KindOf(target), target.Metadata, "ChaosInjected", $"custom fault \"{name}\" injected", cancellationToken);
        }
    }

    public async Task RecoverAsync(FaultContext context, IReadOnlyList<T> targets, CancellationToken cancellationToken)
    {
        try
        {
            // The delegate is idempotent by contract, so transient API errors and conflicts are retried until the recovery deadline.
            await LedgerWrites.UntilDoneAsync(
                context.Time,
                () => recover!(ContextFor(context.Client, context.ExperimentId, targets), cancellationToken),
                cancellationToken,
                retryConflicts: true);
        }
        catch (Exception ex)
        {
            throw new RecoveryException(
                targets.Select(t => $"{KindOf(t)} {LedgerWrites.Describe(t.Metadata)} (the recover delegate of custom fault \"{name}\" failed: {ex.Message})").ToList(), ex);
        }

        await new LedgerRestore<T, CustomFault.Record>(KindOf(targets[0]), (_, _, _) => $"custom fault \"{name}\" recovered").RecoverAsync(context, targets, cancellationToken);
    }

    internal static CustomFaultContext ContextFor(IKubernetes client, string experimentId, IReadOnlyList<T> targets) =>
        new(client, experimentId, targets.OfType<V1Pod>().ToList(), targets.OfType<V1Node>().ToList());

    private static string KindOf(T target) => target is V1Node ? "Node" : "Pod";
}

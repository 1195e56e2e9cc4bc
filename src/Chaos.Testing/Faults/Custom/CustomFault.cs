using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>User delegates wrapped in the engine's ledger: entry first, then inject; recover, then entry removed.</summary>
internal sealed class CustomFault<T>(string name, Func<CustomFaultContext, CancellationToken, Task>? inject, Func<CustomFaultContext, CancellationToken, Task>? recover) : IFault<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public const string DefaultName = "custom";

    public const string LedgerName = "custom";

    public string Verb => name == DefaultName ? "inject a custom fault into" : $"inject \"{name}\" into";

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
                if (Ledger.EntryOf(current.Metadata, context.ExperimentId) is not null)
                {
                    return false;
                }

                Ledger.Add(current.Metadata, context.LedgerEntry(LedgerName, new JsonObject { ["name"] = name }));
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

        await LedgerWrites.RecoverAsync(context, KindOf(targets[0]), targets, (_, _) => $"custom fault \"{name}\" recovered", cancellationToken);
    }

    internal static CustomFaultContext ContextFor(IKubernetes client, string experimentId, IReadOnlyList<T> targets) =>
        new(client, experimentId, targets.OfType<V1Pod>().ToList(), targets.OfType<V1Node>().ToList());

    private static string KindOf(T target) => target is V1Node ? "Node" : "Pod";
}

using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Server;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// PodDisruptionBudget status: healthy pods, disruptions allowed and the DisruptionAllowed condition (eviction reads the
/// same computation, so status and evictions agree).
/// </summary>
internal sealed class DisruptionBudgetController : IController
{
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;

    public DisruptionBudgetController(ResourceStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public string Name => "disruption";

    public void Reconcile(DateTimeOffset now)
    {
        var (budgets, _) = _store.List(ResourceTypes.PodDisruptionBudgets, null, b => !b.Terminating);
        ObjectFailures.ForEach(Name, budgets, Reconcile);
    }

    private void Reconcile(StoredObject budget)
    {
        var state = DisruptionBudgets.Compute(_store, budget);
        _store.Mutate(ResourceTypes.PodDisruptionBudgets, budget.Namespace, budget.Name, o =>
        {
            var allowed = state.DisruptionsAllowed > 0;
            var status = new JsonObject
            {
                ["observedGeneration"] = o["metadata"]!["generation"]?.DeepClone(),
                ["currentHealthy"] = state.CurrentHealthy,
                ["desiredHealthy"] = state.DesiredHealthy,
                ["disruptionsAllowed"] = state.DisruptionsAllowed,
                ["expectedPods"] = state.ExpectedPods,
                ["conditions"] = new JsonArray(ObjectStatus.PodCondition(
                    _time,
                    o["status"]?["conditions"] as JsonArray,
                    "DisruptionAllowed",
                    allowed,
                    allowed ? "SufficientPods" : "InsufficientPods",
                    allowed ? string.Empty : "Not enough pods are healthy to allow a disruption")),
            };
            status["conditions"]![0]!.AsObject().Remove("lastProbeTime");
            status["conditions"]![0]!["observedGeneration"] = o["metadata"]!["generation"]?.DeepClone();
            return ObjectStatus.Set(o, status);
        });
    }
}

using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Selectors;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>The eviction subresource: a delete that honours PodDisruptionBudgets.</content>
internal sealed partial class ApiServer
{
    private async Task EvictAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        var eviction = await Json.ReadObjectAsync(context.Request, cancellationToken);
        ObjectSchema.CheckBody(typeof(V1Eviction), "Eviction", eviction);
        var name = eviction["metadata"]?["name"]?.ToString();
        if (!string.IsNullOrEmpty(name) && name != request.Name)
        {
            throw ApiException.BadRequest($"name in URL does not match name in Eviction object ({request.Name} != {name})");
        }

        var options = new DeleteOptions(
            eviction["deleteOptions"]?["gracePeriodSeconds"]?.ToInt64(),
            null,
            eviction["deleteOptions"]?["preconditions"]?["uid"]?.ToString(),
            eviction["deleteOptions"]?["preconditions"]?["resourceVersion"]?.ToString(),
            IsDryRun(context.Request));

        // An eviction is a create: NamespaceLifecycle refuses it in a namespace being deleted, whatever the pod's state.
        if (_store.Get(ResourceTypes.Namespaces, null, request.Namespace!) is { Terminating: true })
        {
            throw ApiException.NamespaceTerminating(ResourceTypes.Pods, request.Name, request.Namespace!);
        }

        // One eviction at a time: two concurrent evictions must not both spend the last allowed disruption.
        lock (_evictionGate)
        {
            var pod = _store.GetRequired(ResourceTypes.Pods, request.Namespace, request.Name!);
            if (!pod.Terminating && pod.Node["status"]?["phase"]?.ToString() is not ("Succeeded" or "Failed" or "Pending"))
            {
                CheckDisruptionBudgets(pod);
            }

            if (!pod.Terminating)
            {
                Delete(pod, options, options.DryRun);
            }
        }

        await Json.WriteAsync(context.Response, 201, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["code"] = 201,
        }, cancellationToken);
    }

    private void CheckDisruptionBudgets(StoredObject pod)
    {
        var (budgets, _) = _store.List(ResourceTypes.PodDisruptionBudgets, pod.Namespace,
            b => !SelectorMatcher.IsEmpty(b.Node["spec"]?["selector"]) && SelectorMatcher.Matches(b.Node["spec"]?["selector"], pod.Labels));
        if (budgets.Count == 0)
        {
            return;
        }

        if (budgets.Count > 1)
        {
            throw new ApiException(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }

        var budget = budgets[0];
        var state = DisruptionBudgets.Compute(_store, budget);
        var podHealthy = Admission.IsPodReady(pod);

        // With the default unhealthyPodEvictionPolicy (IfHealthyBudget) an unready pod may go while the budget is met.
        var allowed = podHealthy ? state.DisruptionsAllowed > 0 : state.CurrentHealthy >= state.DesiredHealthy;
        if (!allowed)
        {
            var details = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject
                {
                    ["reason"] = "DisruptionBudget",
                    ["message"] = $"The disruption budget {budget.Name} needs {state.DesiredHealthy} healthy pods and has {state.CurrentHealthy} currently",
                }),
            };
            throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", details);
        }
    }
}

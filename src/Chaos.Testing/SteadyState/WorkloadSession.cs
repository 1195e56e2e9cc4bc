using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// A Deployment or StatefulSet holds when as many of its pods are Ready as it had replicas when the experiment
/// started. Comparing with the start (not the live spec) means a workload scaled down during the fault is
/// reported as not recovered, which is what a steady-state hypothesis means.
/// </summary>
internal sealed class WorkloadSession : PodReadinessSession
{
    private readonly string _kind;
    private readonly string _name;
    private int _expected;

    public WorkloadSession(ProbeRuntime runtime, string kind, string ns, string name)
        : base(runtime, ns, null, (_, _) => (false, "not started"))
    {
        _kind = kind;
        _name = name;
    }

    protected override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadWorkloadAsync(cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            // The API server's 404 body is JSON with escaped quotes; a typo in the name deserves one plain sentence.
            throw new InvalidOperationException($"{_kind.ToLowerInvariant()} {Namespace}/{_name} not found", ex);
        }
    }

    private async Task ReadWorkloadAsync(CancellationToken cancellationToken)
    {
        V1LabelSelector selector;
        if (_kind == "Deployment")
        {
            var deployment = await Runtime.Api.CallAsync("get", "deployments", Namespace,
                ct => Runtime.Client.AppsV1.ReadNamespacedDeploymentAsync(_name, Namespace, cancellationToken: ct), cancellationToken);
            _expected = deployment.Spec.Replicas ?? 1;
            selector = deployment.Spec.Selector;
        }
        else
        {
            var set = await Runtime.Api.CallAsync("get", "statefulsets", Namespace,
                ct => Runtime.Client.AppsV1.ReadNamespacedStatefulSetAsync(_name, Namespace, cancellationToken: ct), cancellationToken);
            _expected = set.Spec.Replicas ?? 1;
            selector = set.Spec.Selector;
        }

        LabelSelector = ToSelectorString(selector);
    }

    protected override (bool Held, string Observed) Evaluate(int ready, int total) =>
        (ready >= _expected, $"{ready} of {_expected} pods ready ({total} live)");

    internal static string ToSelectorString(V1LabelSelector selector)
    {
        var terms = (selector.MatchLabels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}").ToList();
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var values = string.Join(",", expression.Values ?? []);
            terms.Add(expression.OperatorProperty switch
            {
                "In" => $"{expression.Key} in ({values})",
                "NotIn" => $"{expression.Key} notin ({values})",
                "Exists" => expression.Key,
                _ => $"!{expression.Key}",
            });
        }

        return string.Join(",", terms);
    }
}

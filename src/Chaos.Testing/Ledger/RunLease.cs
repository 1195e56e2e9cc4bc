using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// A run's liveness, judged through the API and never by clocks or host names: a <c>coordination.k8s.io</c> Lease
/// <c>chaos-run-&lt;experiment id&gt;</c> in the ledger key's namespace, made before the run's first ledger write and
/// renewed on real time while the run runs (it stops renewing at the run's own deadline, so a hung process is recovered
/// too). The janitor deems a run dead only when its Lease is absent, or when it observed no renewal over the Lease's
/// duration on its own clock and then marked the Lease taken in a write conditioned on the resourceVersion it observed
/// (a renewal in between makes that write fail, and the run counts as alive). A run whose Lease was taken or deleted
/// reports that it may have been recovered early.
/// </summary>
internal sealed class RunLease : IAsyncDisposable
{
    /// <summary>The annotation on the Lease that describes the run's process (for people; never used to decide).</summary>
    public const string OwnerAnnotation = "chaos.testing/owner";

    /// <summary>The annotation a janitor sets when it takes a run's Lease (who took it, and when).</summary>
    public const string TakenAnnotation = "chaos.testing/taken-by";

    private readonly IKubernetes _client;
    private readonly ApiCalls _api;
    private readonly string _namespace;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private V1Lease _lease;

    private readonly Action<string, Exception> _onError;
    private readonly TimeSpan _interval;

    private RunLease(IKubernetes client, ApiCalls api, string ns, V1Lease lease, TimeSpan duration, DateTimeOffset renewUntil, Action<string, Exception> onError)
    {
        _interval = duration / 3;
        _onError = onError;
        _client = client;
        _api = api;
        _namespace = ns;
        _lease = lease;
        _renewing = RenewAsync(renewUntil);
    }

    /// <summary>Real time, deliberately: a run's liveness must not depend on the clock it was given.</summary>
    private static readonly TimeProvider Real = TimeProvider.System;

    /// <summary>Gets or sets how long a run's Lease lasts without renewal (renewed every third of it). A test host that is killed on purpose shortens it.</summary>
    internal static TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets why the run lost its Lease (a janitor judged it dead, or it was deleted), or null while it holds it.</summary>
    public string? TakenAway { get; private set; }

    /// <summary>The Lease name of <paramref name="experimentId"/>.</summary>
    public static string NameOf(string experimentId) => "chaos-run-" + experimentId;

    /// <summary>Makes the run's Lease (and its namespace when missing) and starts renewing it until <paramref name="renewUntil"/> (real time).</summary>
    public static async Task<RunLease> AcquireAsync(IKubernetes client, ApiCalls api, string ns, string experimentId, TimeSpan duration, DateTimeOffset renewUntil, Action<string, Exception> onError, CancellationToken cancellationToken)
    {
        var now = Real.GetUtcNow().UtcDateTime;
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = NameOf(experimentId),
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "chaos-testing" },
                Annotations = new Dictionary<string, string> { [OwnerAnnotation] = Ledger.Owner.ToString() },
            },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = experimentId,
                LeaseDurationSeconds = (int)Math.Ceiling(duration.TotalSeconds),
                AcquireTime = now,
                RenewTime = now,
            },
        };
        V1Lease made;
        try
        {
            made = await api.CallAsync("create", "leases", ns, ct => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            await LedgerKeyStore.CreateNamespaceAsync(client, api, ns, cancellationToken);
            made = await api.CallAsync("create", "leases", ns, ct => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns, cancellationToken: ct), cancellationToken);
        }

        return new RunLease(client, api, ns, made, duration, renewUntil, onError);
    }

    /// <summary>
    /// Stops renewing and deletes the Lease, so the janitor may act on what is left at once. A Lease that is gone or
    /// marked <see cref="TakenAnnotation"/> by then was taken: <see cref="TakenAway"/> says so.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _stop.Dispose();
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            if (TakenAway is null)
            {
                // A take between the last renewal and now counts too.
                await CheckTakenAsync(bounded.Token);
            }

            // The run's own Lease (by uid), taken or not: the run has ended. Gone already (404) or replaced (409) is fine.
            var body = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = _lease.Metadata.Uid } };
            await _api.CallAsync("delete", "leases", _namespace, ct => _client.CoordinationV1.DeleteNamespacedLeaseAsync(_lease.Metadata.Name, _namespace, body, cancellationToken: ct), bounded.Token);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex) || ApiCalls.IsConflict(ex))
        {
            // Gone (taken and removed, or a retried delete of ours), or replaced by another of this name: nothing of ours to delete.
        }
        catch (Exception ex) when (ex is ChaosRefusedException or OperationCanceledException || ApiCalls.IsTransient(ex))
        {
            // The Lease stays unrenewed: a janitor takes it after its duration. Said in the result, not thrown past the run's verdict.
            _onError($"the run's Lease {_namespace}/{_lease.Metadata.Name} could not be removed ({ex.Message}); a janitor removes it once it sees no renewal", ex);
        }
    }

    /// <summary>Whether the Lease is gone or marked taken (then <see cref="TakenAway"/> says by whom); else adopts its latest version.</summary>
    private async Task<bool> CheckTakenAsync(CancellationToken cancellationToken)
    {
        V1Lease current;
        try
        {
            current = await _api.CallAsync("get", "leases", _namespace, ct => _client.CoordinationV1.ReadNamespacedLeaseAsync(_lease.Metadata.Name, _namespace, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            TakenAway = $"its Lease {_namespace}/{_lease.Metadata.Name} was deleted while the run ran (a janitor judged the run dead, or a person removed it), so what it changed may have been recovered early";
            return true;
        }

        if (current.Metadata.Uid != _lease.Metadata.Uid || current.Metadata.Annotations?.TryGetValue(TakenAnnotation, out _) == true)
        {
            var by = (current.Metadata.Annotations?.TryGetValue(TakenAnnotation, out var who) == true ? who : null) ?? "someone who replaced it";
            TakenAway = $"its Lease {_namespace}/{_lease.Metadata.Name} was taken by {by}, so what it changed may have been recovered early";
            return true;
        }

        _lease = current;
        return false;
    }

    private async Task RenewAsync(DateTimeOffset renewUntil)
    {
        var interval = _interval;
        while (!_stop.IsCancellationRequested && Real.GetUtcNow() < renewUntil)
        {
            try
            {
                await Task.Delay(interval, Real, _stop.Token);
                _lease.Spec.RenewTime = Real.GetUtcNow().UtcDateTime;
                _lease = await _api.CallAsync("update", "leases", _namespace,
                    ct => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(_lease, _lease.Metadata.Name, _namespace, cancellationToken: ct), _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex) || ApiCalls.IsConflict(ex))
            {
                // Deleted, or changed since this run wrote it: taken (then stop), or a conflict that changed nothing (then go on).
                try
                {
                    if (await CheckTakenAsync(_stop.Token))
                    {
                        return;
                    }
                }
                catch (Exception again) when (again is not OperationCanceledException && (ApiCalls.IsTransient(again) || again is ChaosRefusedException))
                {
                    _onError($"checking the run's Lease {_namespace}/{_lease.Metadata.Name} failed (retried in {interval.TotalSeconds:0.#}s): {again.Message}", again);
                }
            }
            catch (Exception ex) when (ApiCalls.IsTransient(ex) || ex is ChaosRefusedException)
            {
                // Retried at the next interval (a janitor only acts after a whole Lease duration without a renewal); said in the result.
                _onError($"renewing the run's Lease {_namespace}/{_lease.Metadata.Name} failed (retried in {interval.TotalSeconds:0.#}s): {ex.Message}", ex);
            }
        }
    }
}

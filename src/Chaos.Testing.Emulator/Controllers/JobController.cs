using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// Jobs: up to <c>parallelism</c> pods run at once until <c>completions</c> pods have succeeded (or, without
/// completions, until one has and none is left running); more than <c>backoffLimit</c> failed pods, or
/// <c>activeDeadlineSeconds</c> passed, fail the Job. Each pod carries the <c>batch.kubernetes.io/job-tracking</c>
/// finalizer until the Job has counted it, so deleted pods are counted too (as failed unless they had succeeded).
/// Replacements after failures wait an exponential back-off (10 s, doubling, at most 6 minutes), as on a real cluster.
/// </summary>
internal sealed class JobController : IController
{
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    private readonly ResourceStore _store;
    private readonly Admission _admission;
    private readonly ControllerTimers _timers;
    private readonly EventRecorder _events;

    public JobController(ResourceStore store, Admission admission, ControllerTimers timers, EventRecorder events)
    {
        _store = store;
        _admission = admission;
        _timers = timers;
        _events = events;
    }

    public string Name => "job";

    public void Reconcile(DateTimeOffset now)
    {
        var (jobs, _) = _store.List(ResourceTypes.Jobs, null);
        ObjectFailures.ForEach(Name, jobs, job => Reconcile(job, now));

        // Pods whose Job is gone lose the tracking finalizer, so that nothing waits on a Job that will never count them.
        var uids = jobs.Select(j => j.Uid).ToHashSet(StringComparer.Ordinal);
        var (orphans, _) = _store.List(ResourceTypes.Pods, null, p => HasTracking(p) && !Deletion.OwnerUids(p).Any(uids.Contains));
        ObjectFailures.ForEach(Name, orphans, pod => _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, RemoveTracking));
        _timers.Prune(jobs.Select(j => j.Uid).ToHashSet(StringComparer.Ordinal), "batch-job-");
    }

    private void Reconcile(StoredObject job, DateTimeOffset now)
    {
        var (pods, _) = _store.List(ResourceTypes.Pods, job.Namespace, p => Workloads.IsControlledBy(p, job));
        var spec = job.Node["spec"]!;
        var status = job.Node["status"] as JsonObject ?? [];
        long succeeded = status["succeeded"]?.ToInt64() ?? 0;
        long failed = status["failed"]?.ToInt64() ?? 0;

        // Count the pods that ended (or were deleted) and still carry the tracking finalizer, then release them.
        var counted = pods.Where(p => HasTracking(p) && (p.Terminating || !PodLifecycle.IsActive(p))).ToList();
        foreach (var pod in counted)
        {
            if (pod.Node["status"]?["phase"]?.ToString() == "Succeeded")
            {
                succeeded++;
            }
            else
            {
                failed++;
            }
        }

        var active = pods.Where(PodLifecycle.IsActive).ToList();
        var finished = JobStatus.FinishedCondition(status);
        var completions = spec["completions"]?.ToInt64();
        var parallelism = spec["parallelism"]?.ToInt64() ?? 1;
        var backoffLimit = spec["backoffLimit"]?.ToInt64() ?? 6;
        var suspended = JsonNumbers.IsTrue(spec["suspend"]);
        string? outcome = null;
        string? reason = null;
        string? message = null;
        if (finished is null)
        {
            var start = status["startTime"] is { } s ? Timestamps.Parse(s.ToString()) : now;
            if (completions is { } c ? succeeded >= c : succeeded > 0 && active.Count == 0)
            {
                (outcome, reason, message) = ("Complete", null, null);
            }
            else if (failed > backoffLimit)
            {
                (outcome, reason, message) = ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
            }
            else if (!suspended && spec["activeDeadlineSeconds"]?.ToInt64() is { } deadline
                     && _timers.IsDue($"batch-job-deadline:{job.Uid}", start.AddSeconds(deadline) - now, now))
            {
                (outcome, reason, message) = ("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
            }
        }

        var want = 0L;
        if (finished is null && outcome is null && !suspended && !job.Terminating)
        {
            want = completions is { } total ? Math.Min(parallelism, total - succeeded) : (succeeded > 0 ? 0 : parallelism);
        }

        var backoff = failed == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(360, 10 * Math.Pow(2, Math.Min(failed - 1, 10))));
        if (active.Count < want && (backoff == TimeSpan.Zero || _timers.IsDue($"batch-job-backoff{failed}:{job.Uid}", backoff, now)))
        {
            for (var i = active.Count; i < want; i++)
            {
                var pod = Workloads.PodFromTemplate(job, $"{job.Name}-", null);
                pod["metadata"]!["finalizers"] = new JsonArray(TrackingFinalizer);
                Workloads.CreateChild(_store, _admission, ResourceTypes.Pods, pod);
                _events.Normal(job, "job-controller", "SuccessfulCreate", $"Created pod: {pod["metadata"]!["name"]}");
            }
        }

        foreach (var extra in active.OrderByDescending(p => p.ResourceVersion).Take((int)Math.Max(0, active.Count - want)))
        {
            PodLifecycle.DeleteGracefully(_store, extra);
            _events.Normal(job, "job-controller", "SuccessfulDelete", $"Deleted pod: {extra.Name}");
        }

        var live = active.Count - Math.Max(0, active.Count - (int)want);
        var ready = active.OrderBy(p => p.ResourceVersion).Take(live).Count(Admission.IsPodReady);
        var updated = _store.Mutate(ResourceTypes.Jobs, job.Namespace, job.Name, o =>
            JobStatus.Write(o, now, live, ready, succeeded, failed, suspended, outcome, reason, message));
        if (outcome is not null && updated is not null)
        {
            if (outcome == "Complete")
            {
                _events.Normal(job, "job-controller", "Completed", "Job completed");
            }
            else
            {
                _events.Warning(job, "job-controller", reason!, message!);
            }
        }

        // Only once the counts are stored do the pods lose their finalizer (and may go).
        foreach (var pod in counted)
        {
            _store.Mutate(ResourceTypes.Pods, pod.Namespace, pod.Name, o => RemoveTracking(o));
        }
    }

    private static bool HasTracking(StoredObject pod) =>
        (pod.Node["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => f?.ToString() == TrackingFinalizer);

    private static bool RemoveTracking(JsonObject pod)
    {
        if (pod["metadata"]?["finalizers"] is not JsonArray finalizers)
        {
            return false;
        }

        var found = finalizers.Where(f => f?.ToString() == TrackingFinalizer).ToList();
        foreach (var finalizer in found)
        {
            finalizers.Remove(finalizer);
        }

        return found.Count > 0;
    }
}

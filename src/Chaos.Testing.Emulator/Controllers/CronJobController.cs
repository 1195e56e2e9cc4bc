using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Recording;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Validation;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// CronJobs, on the emulator's clock: at each scheduled time (the latest one missed, when several were) a Job is created
/// from the template, named after the time as the real controller names it, unless suspended, past
/// <c>startingDeadlineSeconds</c>, or <c>Forbid</c> finds one still running (<c>Replace</c> deletes it first). Finished
/// Jobs beyond the history limits are deleted, oldest first.
/// </summary>
internal sealed class CronJobController : IController
{
    private const string Component = "cronjob-controller";

    private readonly ResourceStore _store;
    private readonly Admission _admission;
    private readonly ControllerTimers _timers;
    private readonly EventRecorder _events;

    public CronJobController(ResourceStore store, Admission admission, ControllerTimers timers, EventRecorder events)
    {
        _store = store;
        _admission = admission;
        _timers = timers;
        _events = events;
    }

    public string Name => "cronjob";

    public void Reconcile(DateTimeOffset now)
    {
        var (cronJobs, _) = _store.List(ResourceTypes.CronJobs, null, c => !c.Terminating);
        ObjectFailures.ForEach(Name, cronJobs, c => Reconcile(c, now));
        _timers.Prune(cronJobs.Select(c => c.Uid).ToHashSet(StringComparer.Ordinal), "batch-cron-");
    }

    private void Reconcile(StoredObject cronJob, DateTimeOffset now)
    {
        var spec = cronJob.Node["spec"]!;
        var (jobs, _) = _store.List(ResourceTypes.Jobs, cronJob.Namespace, j => Workloads.IsControlledBy(j, cronJob));
        var running = jobs.Where(j => !j.Terminating && JobStatus.FinishedCondition(j.Node["status"]) is null).ToList();
        var status = cronJob.Node["status"];
        var lastSuccess = status?["lastSuccessfulTime"]?.ToString();
        foreach (var done in jobs.Where(j => JobStatus.FinishedCondition(j.Node["status"]) == "Complete"))
        {
            var completed = done.Node["status"]?["completionTime"]?.ToString();
            if (completed is not null && (lastSuccess is null || Timestamps.Parse(completed) > Timestamps.Parse(lastSuccess)))
            {
                lastSuccess = completed;
                _events.Normal(cronJob, Component, "SawCompletedJob", $"Saw completed job: {done.Name}, status: Complete");
            }
        }

        PruneHistory(cronJob, jobs, "Complete", spec["successfulJobsHistoryLimit"]?.ToInt64() ?? 3);
        PruneHistory(cronJob, jobs, "Failed", spec["failedJobsHistoryLimit"]?.ToInt64() ?? 1);

        var lastSchedule = status?["lastScheduleTime"]?.ToString();
        var scheduled = Due(cronJob, lastSchedule, now);
        if (scheduled is { } time && !JsonNumbers.IsTrue(spec["suspend"]))
        {
            if (spec["startingDeadlineSeconds"]?.ToInt64() is { } deadline && now - time > TimeSpan.FromSeconds(deadline))
            {
                _events.Warning(cronJob, Component, "MissSchedule", $"Missed scheduled time to start a job: {Timestamps.Format(time)}");
                lastSchedule = Timestamps.Format(time);
            }
            else if (spec["concurrencyPolicy"]?.ToString() == "Forbid" && running.Count > 0)
            {
                // Skipped while one runs; the same time is due again once it has finished, if still within the deadline.
            }
            else
            {
                if (spec["concurrencyPolicy"]?.ToString() == "Replace")
                {
                    foreach (var job in running)
                    {
                        Deletion.Delete(_store, job);
                        _events.Normal(cronJob, Component, "SuccessfulDelete", $"Deleted job {job.Name}");
                    }

                    running.Clear();
                }

                var created = CreateJob(cronJob, time);
                if (created is not null)
                {
                    running.Add(created);
                    _events.Normal(cronJob, Component, "SuccessfulCreate", $"Created job {created.Name}");
                }

                lastSchedule = Timestamps.Format(time);
            }
        }

        _store.Mutate(ResourceTypes.CronJobs, cronJob.Namespace, cronJob.Name, o =>
        {
            var next = new JsonObject();
            if (running.Count > 0)
            {
                next["active"] = new JsonArray(running.Select(j => (JsonNode)new JsonObject
                {
                    ["kind"] = "Job",
                    ["namespace"] = j.Namespace,
                    ["name"] = j.Name,
                    ["uid"] = j.Uid,
                    ["apiVersion"] = "batch/v1",
                    ["resourceVersion"] = j.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                }).ToArray());
            }

            next["lastScheduleTime"] = lastSchedule;
            next["lastSuccessfulTime"] = lastSuccess;
            foreach (var key in next.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                next.Remove(key);
            }

            return ObjectStatus.Set(o, next);
        });
    }

    // The latest scheduled time that has come since the last one (or since the CronJob was created); arms a wake-up for the next.
    private DateTimeOffset? Due(StoredObject cronJob, string? lastSchedule, DateTimeOffset now)
    {
        var spec = cronJob.Node["spec"]!;
        if (!CronSchedule.TryParse(spec["schedule"]?.ToString() ?? string.Empty, out var schedule, spec["timeZone"]?.ToString()))
        {
            _events.Warning(cronJob, Component, "UnparseableSchedule", $"unparseable schedule: {spec["schedule"]}");
            return null;
        }

        var from = Timestamps.Parse(lastSchedule ?? cronJob.Node["metadata"]!["creationTimestamp"]!.ToString());
        DateTimeOffset? latest = null;
        var next = schedule!.Next(from);
        for (var missed = 0; next is { } n && n <= now && missed < 1000; missed++)
        {
            latest = n;
            next = schedule.Next(n);
        }

        if (next is { } upcoming)
        {
            _timers.IsDue($"batch-cron-{Timestamps.Format(upcoming)}:{cronJob.Uid}", upcoming - now, now);
        }

        return latest;
    }

    private StoredObject? CreateJob(StoredObject cronJob, DateTimeOffset scheduled)
    {
        var template = cronJob.Node["spec"]!["jobTemplate"]!;
        var name = $"{cronJob.Name}-{(scheduled.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture)}";
        if (_store.Get(ResourceTypes.Jobs, cronJob.Namespace, name) is { } existing)
        {
            return existing; // already created for this time
        }

        var annotations = template["metadata"]?["annotations"]?.DeepClone() as JsonObject ?? [];
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = Timestamps.Format(scheduled);
        var job = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = cronJob.Namespace,
                ["labels"] = template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject(),
                ["annotations"] = annotations,
                ["ownerReferences"] = Workloads.OwnerReference(cronJob),
            },
            ["spec"] = template["spec"]!.DeepClone(),
        };
        Workloads.CreateChild(_store, _admission, ResourceTypes.Jobs, job);
        return _store.Get(ResourceTypes.Jobs, cronJob.Namespace, name);
    }

    private void PruneHistory(StoredObject cronJob, IReadOnlyList<StoredObject> jobs, string outcome, long limit)
    {
        var finished = jobs.Where(j => !j.Terminating && JobStatus.FinishedCondition(j.Node["status"]) == outcome)
            .OrderBy(j => j.Node["status"]?["startTime"]?.ToString() ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(j => j.ResourceVersion)
            .ToList();
        foreach (var job in finished.Take(Math.Max(0, finished.Count - (int)limit)))
        {
            Deletion.Delete(_store, job);
            _events.Normal(cronJob, Component, "SuccessfulDelete", $"Deleted job {job.Name}");
        }
    }
}

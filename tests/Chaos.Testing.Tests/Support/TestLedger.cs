using k8s;
using k8s.Models;

namespace Chaos.Testing.Tests.Support;

/// <summary>Ledger entries and run Leases written by a test the way a run writes them: sealed with the cluster's ledger key.</summary>
internal static class TestLedger
{
    /// <summary>An entry as someone who can write annotations would forge it: deadline long past, an owner nobody knows.</summary>
    public static LedgerEntry Entry(string experiment, string fault, System.Text.Json.Nodes.JsonObject record) => new()
    {
        Experiment = experiment,
        Fault = fault,
        Deadline = DateTimeOffset.UnixEpoch,
        Owner = new RunOwner { Host = "forger", ProcessId = 1, ProcessStarted = DateTimeOffset.UnixEpoch },
        Recovery = record,
    };

    /// <summary>The cluster's ledger key (made, with its namespace, when there is none yet).</summary>
    public static Task<LedgerKey> KeyAsync(IKubernetes client) =>
        LedgerKeyStore.GetOrCreateAsync(client, new ApiCalls(TimeProvider.System), new SafetyOptions().LedgerKeySecret, CancellationToken.None);

    /// <summary>Adds <paramref name="entry"/> to <paramref name="metadata"/> sealed with <paramref name="key"/> (in memory).</summary>
    public static void Seal(V1ObjectMeta metadata, LedgerEntry entry, LedgerKey key) => Ledger.Add(metadata, entry with { Key = key });

    /// <summary>A Lease held and renewed for <paramref name="experiment"/> as a live run in another process holds it.</summary>
    public static Task<RunLease> HoldLeaseAsync(IKubernetes client, string experiment, TimeSpan duration) =>
        RunLease.AcquireAsync(client, new ApiCalls(TimeProvider.System), "chaos-testing", experiment, duration, DateTimeOffset.UtcNow.AddMinutes(10), (_, _) => { }, CancellationToken.None);

    /// <summary>What a run killed mid-hold leaves: its Lease, never renewed again.</summary>
    public static async Task LeaveUnrenewedLeaseAsync(IKubernetes client, string experiment, int seconds)
    {
        await KeyAsync(client); // the namespace exists
        await client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = RunLease.NameOf(experiment) },
                Spec = new V1LeaseSpec { HolderIdentity = experiment, LeaseDurationSeconds = seconds, RenewTime = DateTime.UtcNow },
            },
            "chaos-testing");
    }

    /// <summary>Adds the entry <paramref name="json"/> to <paramref name="metadata"/>, sealed with the cluster's key (in memory).</summary>
    public static async Task SealAsync(IKubernetes client, V1ObjectMeta metadata, string json) =>
        Seal(metadata, LedgerEntry.Parse(json) ?? throw new ArgumentException("not a ledger entry", nameof(json)), await KeyAsync(client));
}

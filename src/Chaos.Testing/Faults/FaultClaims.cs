using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// One experiment per target and fault family: the ledger entry is the claim. It is added in the read-modify-write that
/// makes the change, so of two experiments racing for one target the API's resourceVersion check lets exactly one write;
/// the other re-reads, finds the first one's entry, and is refused before it changes anything on that target.
/// </summary>
internal static class FaultClaims
{
    /// <summary>Adds <paramref name="entry"/> to <paramref name="target"/>, or refuses when another experiment of the same family holds it.</summary>
    public static void Claim(V1ObjectMeta target, string kind, FaultDescriptor fault, LedgerEntry entry)
    {
        if (fault.Family is { } family
            && Ledger.ClaimsOn(target).FirstOrDefault(e => e.Experiment != entry.Experiment && FaultCatalog.Find(e.Fault)?.Family == family) is { } other)
        {
            throw new ChaosRefusedException(
                $"{kind} {LedgerWrites.Describe(target)} is held by experiment {other.Experiment} ({other.Fault}); {fault.Name} and {other.Fault} change the same "
                + $"thing ({family}) and could not both be recovered. Wait for that experiment to end (or run ChaosJanitor.SweepAsync if it crashed). "
                + "Nothing was changed on it.");
        }

        Ledger.Add(target, entry);
    }
}

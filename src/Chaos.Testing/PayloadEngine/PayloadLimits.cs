using System.Globalization;
using System.Text;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// The sizes a payload must fit, checked for every target before the first write: a script is one <c>exec</c> argument
/// (a partition's grows with its peers), and its ledger entry joins the object's annotations.
/// </summary>
internal static class PayloadLimits
{
    /// <summary>Linux's limit on one <c>exec</c> argument (MAX_ARG_STRLEN), its terminating NUL included.</summary>
    public const int MaxArgumentBytes = 128 * 1024;

    /// <summary>The API server's limit on all annotations of one object together, keys and values.</summary>
    public const int MaxAnnotationBytes = 256 * 1024;

    /// <summary>Refuses (nothing written yet) a payload whose script or cleanup is too long, or whose entry overflows the annotations.</summary>
    public static void Check(V1ObjectMeta target, string verb, string script, string cleanup, LedgerEntry entry)
    {
        var where = target.NamespaceProperty is null ? $"node {target.Name}" : $"pod {target.NamespaceProperty}/{target.Name}";
        foreach (var (what, text) in new[] { ("payload script", script), ("cleanup script", cleanup) })
        {
            var bytes = Encoding.UTF8.GetByteCount(text) + 1;
            if (bytes > MaxArgumentBytes)
            {
                throw new ChaosRefusedException(
                    $"Refusing to {verb} {where}: its {what} would be {Number(bytes)} bytes, over Linux's limit of {Number(MaxArgumentBytes)} bytes "
                    + "for one exec argument, so the container could not start it. It grows with the addresses the fault names: give fewer peers, "
                    + "or CIDRs that cover them. Nothing was changed.");
            }
        }

        var annotations = (target.Annotations ?? new Dictionary<string, string>()).Where(a => a.Key != Ledger.KeyOf(entry.Experiment))
            .Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));
        var total = annotations + Encoding.UTF8.GetByteCount(Ledger.KeyOf(entry.Experiment)) + Encoding.UTF8.GetByteCount(entry.ToJson());
        if (total > MaxAnnotationBytes)
        {
            throw new ChaosRefusedException(
                $"Refusing to {verb} {where}: its ledger entry would bring the object's annotations to {Number(total)} bytes "
                + $"({Number(annotations)} there already), over the API server's limit of {Number(MaxAnnotationBytes)} bytes. "
                + "Remove annotations the object does not need, pick other targets, or (for a partition) give fewer peers. Nothing was changed.");
        }
    }

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

namespace Chaos.Testing;

/// <summary>
/// Checks the fields of a payload's ledger record as read back from the cluster (untrusted): names per Kubernetes'
/// rules, interface names, paths. A bad field throws <see cref="InvalidDataException"/> naming the entry, the field,
/// the allowed values and the fix; nothing has been written when it does.
/// </summary>
internal sealed class RecordCheck(LedgerEntry entry)
{
    /// <summary>A container, volume or node name: a DNS-1123 subdomain of at most 63 characters (container and volume names are labels).</summary>
    public void Name(string field, string? value)
    {
        if (KubernetesNames.CheckName(value) is { } problem || value!.Length > 63)
        {
            Fail(field, value, $"a Kubernetes name of at most 63 characters ({KubernetesNames.CheckName(value) ?? "was longer"})");
        }
    }

    /// <summary>A network interface name: 1-15 characters of letters, digits, '_', '.' and '-', not "." or "..".</summary>
    public void Interface(string field, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 15 || value is "." or ".." || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            Fail(field, value, "an interface name of 1 to 15 characters: letters, digits, '_', '.', '-'");
        }
    }

    /// <summary>An absolute directory: '/'-separated segments of letters, digits, '_', '.', '-', no "." or ".." segment.</summary>
    public void Path(string field, string? value, bool allowRoot)
    {
        var ok = !string.IsNullOrEmpty(value) && value.Length <= 255 && value.StartsWith('/')
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or '-')
            && value.Split('/', StringSplitOptions.RemoveEmptyEntries).All(s => s is not "." and not "..")
            && (allowRoot || value.Trim('/').Length > 0);
        if (!ok)
        {
            Fail(field, value, $"an absolute directory of at most 255 characters (letters, digits, '/', '_', '.', '-'), without \".\" or \"..\" segments{(allowRoot ? string.Empty : ", other than \"/\"")}");
        }
    }

    /// <summary>A field this fault never writes.</summary>
    public void Absent(string field, string? value)
    {
        if (value is not null)
        {
            Fail(field, value, $"absent: {entry.Fault} does not write it");
        }
    }

    public void Fail(string field, string? value, string allowed) =>
        throw new InvalidDataException(
            $"the ledger entry of experiment {entry.Experiment} ({entry.Fault}) has recovery.{field} = {(value is null ? "null" : $"\"{value}\"")}, "
            + $"which is not what {entry.Fault} writes: it must be {allowed}. Nothing was changed; the entry stays. If Chaos.Testing did not write it, "
            + $"find who can annotate this object, then remove the annotation {Ledger.KeyOf(entry.Experiment)} by hand.");
}

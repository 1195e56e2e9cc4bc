namespace Chaos.Testing;

/// <summary>The safety guards. They are on by default; each refusal happens before any write to the cluster.</summary>
public sealed partial class SafetyOptions
{
    /// <summary>The label that keeps an object, a namespace or a node out of every experiment when it is <c>true</c>.</summary>
    public const string ExclusionLabel = "chaos.testing/exclude";

    /// <summary>The annotation that marks a namespace as production when it is <c>true</c>.</summary>
    public const string ProductionAnnotation = "chaos.testing/production";

    /// <summary>Gets the namespaces that are never touched.</summary>
    /// <value>The default value is <c>kube-system</c>, <c>kube-public</c>, <c>kube-node-lease</c>.</value>
    public ISet<string> ProtectedNamespaces { get; } = new HashSet<string>(StringComparer.Ordinal) { "kube-system", "kube-public", "kube-node-lease" };

    /// <summary>Gets or sets the largest share (1–100) of the eligible targets one experiment may affect.</summary>
    /// <value>The default value is 50.</value>
    public int MaxPercentage { get; set; } = 50;

    /// <summary>Gets or sets how many eligible targets must stay untouched.</summary>
    /// <value>The default value is 1.</value>
    public int MinHealthyRemaining { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether production-looking namespaces may be targeted.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowProduction { get; set; }

    /// <summary>
    /// Gets or sets the Secret (<c>namespace/name</c>) holding the key that seals ledger entries, so that only runs and
    /// janitors that can read it can write entries the janitor acts on. The first run that writes a ledger entry makes it
    /// (and its namespace, labelled <see cref="ExclusionLabel"/>); the janitor only reads it. The environment variable
    /// <c>CHAOS_TESTING_LEDGER_KEY</c> (base64 of at least 32 random bytes), when set, is the key instead. Give read access
    /// to this Secret to the chaos identity only: see docs/security.md.
    /// </summary>
    /// <value>The default value is <c>chaos-testing/ledger-key</c>.</value>
    public string LedgerKeySecret { get; set; } = "chaos-testing/ledger-key";

    internal SafetyOptions Clone()
    {
        var copy = new SafetyOptions { MaxPercentage = MaxPercentage, MinHealthyRemaining = MinHealthyRemaining, AllowProduction = AllowProduction, LedgerKeySecret = LedgerKeySecret };
        copy.ProtectedNamespaces.Clear();
        copy.ProtectedNamespaces.UnionWith(ProtectedNamespaces);
        return copy;
    }

    internal void Validate(ICollection<string> errors)
    {
        if (MaxPercentage is < 1 or > 100)
        {
            errors.Add($"Safety.MaxPercentage: must be between 1 and 100, was {MaxPercentage}.");
        }

        if (MinHealthyRemaining < 0)
        {
            errors.Add($"Safety.MinHealthyRemaining: must be 0 or more, was {MinHealthyRemaining}.");
        }

        try
        {
            SplitLedgerKeySecret(LedgerKeySecret);
        }
        catch (ChaosConfigurationException invalid)
        {
            foreach (var error in invalid.Errors)
            {
                errors.Add(error);
            }
        }
    }

    /// <summary>Splits and checks a <see cref="LedgerKeySecret"/> value.</summary>
    internal static (string Namespace, string Name) SplitLedgerKeySecret(string secret)
    {
        var parts = (secret ?? string.Empty).Split('/');
        if (parts.Length != 2 || !DnsLabel().IsMatch(parts[0]) || !DnsSubdomain().IsMatch(parts[1]))
        {
            throw new ChaosConfigurationException([
                $"Safety.LedgerKeySecret: must be \"<namespace>/<name>\" (lowercase letters, digits and '-'; the name may also hold '.'), was \"{secret}\". "
                + "The default is \"chaos-testing/ledger-key\"."]);
        }

        return (parts[0], parts[1]);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex DnsLabel();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex DnsSubdomain();
}

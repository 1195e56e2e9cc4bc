using System.Text.RegularExpressions;

namespace Chaos.Testing;

/// <summary>The API server's rules for namespaces, label keys and label values, checked before any request.</summary>
internal static partial class KubernetesNames
{
    public static string? CheckNamespace(string? value) =>
        string.IsNullOrEmpty(value) ? "must not be empty"
        : value.Length > 63 ? "must be at most 63 characters"
        : DnsLabel().IsMatch(value) ? null
        : "must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit (e.g. 'shop')";

    public static string? CheckName(string? value) =>
        string.IsNullOrEmpty(value) ? "must not be empty"
        : value.Length > 253 ? "must be at most 253 characters"
        : DnsSubdomain().IsMatch(value) ? null
        : "must be a DNS-1123 subdomain: lower case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. 'cart-7d9f')";

    public static string? CheckLabelKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "must not be empty";
        }

        var slash = key.LastIndexOf('/');
        if (slash >= 0 && (slash == 0 || key[..slash].Length > 253 || !DnsSubdomain().IsMatch(key[..slash])))
        {
            return "must have a DNS subdomain prefix before '/' (e.g. 'app.kubernetes.io/name')";
        }

        var name = key[(slash + 1)..];
        return name.Length is > 0 and <= 63 && LabelValue().IsMatch(name)
            ? null
            : "must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'app')";
    }

    public static string? CheckLabelValue(string? value) =>
        value is null ? "must not be null"
        : value.Length > 63 ? "must be at most 63 characters"
        : LabelValue().IsMatch(value) || value.Length == 0 ? null
        : "must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'cart')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\\z")]
    private static partial Regex LabelValue();
}

using System.Globalization;

namespace Chaos.Testing.K3s;

/// <summary>The checks of the registry, proxy and pre-pull options (<see cref="K3sChaosClusterOptions.Validate"/> adds them to its own).</summary>
internal static class K3sOptionChecks
{
    /// <summary>Adds a problem for each invalid registry, proxy, pre-pull or tarball-name setting.</summary>
    /// <param name="options">The options.</param>
    /// <param name="errors">Where problems are added.</param>
    public static void Check(K3sChaosClusterOptions options, List<string> errors)
    {
        foreach (var (name, value) in new[] { (nameof(options.HttpProxy), options.HttpProxy), (nameof(options.HttpsProxy), options.HttpsProxy) })
        {
            if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)))
            {
                errors.Add($"{name} is \"{value}\": it must be an absolute http:// or https:// address such as \"http://proxy.example:3128\"; fix: correct it or leave it null for no proxy");
            }
        }

        for (var i = 0; i < options.NoProxy.Count; i++)
        {
            var entry = options.NoProxy[i];
            if (string.IsNullOrWhiteSpace(entry) || entry.Any(c => char.IsWhiteSpace(c) || c == ','))
            {
                errors.Add($"{nameof(options.NoProxy)}[{i}] is \"{entry}\": each entry is one host, domain (.example) or CIDR range without spaces or commas; fix: split or remove it");
            }
        }

        if (options.RegistriesYaml is { } yaml && !File.Exists(yaml))
        {
            errors.Add($"{nameof(options.RegistriesYaml)} is \"{yaml}\": the file does not exist (full path \"{Path.GetFullPath(yaml)}\"); fix: give the path of a K3s registries.yaml or leave it null");
        }

        for (var i = 0; i < options.PrePullImages.Count; i++)
        {
            var image = options.PrePullImages[i];
            if (string.IsNullOrWhiteSpace(image) || image.Any(char.IsWhiteSpace) || image.StartsWith('-'))
            {
                errors.Add($"{nameof(options.PrePullImages)}[{i}] is \"{image}\": it must be one image reference such as \"registry.example/tools/netshoot:v0.13\"; fix: correct or remove it");
            }
        }

        if (options.PrePullTimeout <= TimeSpan.Zero || options.PrePullTimeout > K3sChaosClusterOptions.MaxStartupTimeout)
        {
            errors.Add($"{nameof(options.PrePullTimeout)} is {options.PrePullTimeout.ToString("c", CultureInfo.InvariantCulture)}: it must be more than 00:00:00 and at most {K3sChaosClusterOptions.MaxStartupTimeout.ToString("c", CultureInfo.InvariantCulture)}; fix: use the default of 00:10:00");
        }

        if (string.IsNullOrWhiteSpace(options.NetemProbeImage) || options.NetemProbeImage.Any(char.IsWhiteSpace))
        {
            errors.Add($"{nameof(options.NetemProbeImage)} is \"{options.NetemProbeImage}\": it must be one image reference with sh and tc; fix: leave it at the default \"{NetworkFaultOptions.DefaultImage}\"");
        }

        foreach (var clash in options.ImageTarballs.Where(t => !string.IsNullOrWhiteSpace(t)).GroupBy(Path.GetFileName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{nameof(options.ImageTarballs)} has {clash.Count()} files named \"{clash.Key}\" ({string.Join(", ", clash)}): each is mounted under its file name in K3s' images directory; fix: rename one");
        }
    }
}

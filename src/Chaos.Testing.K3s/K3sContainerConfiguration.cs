using DotNet.Testcontainers.Configurations;
using Testcontainers.K3s;

namespace Chaos.Testing.K3s;

/// <summary>What is handed to Testcontainers for a K3s container: a pure mapping of <see cref="K3sChaosClusterOptions"/>, testable without Docker.</summary>
/// <param name="Image">The image.</param>
/// <param name="ExtraCommand">The arguments appended to the builder's <c>server --disable=traefik</c>.</param>
/// <param name="Reuse">Whether Testcontainers reuse is on.</param>
/// <param name="ResourceMappings">Small files copied into the container before it starts: local source, target directory.</param>
/// <param name="BindMounts">
/// Image tarballs, bind-mounted read-only (local source, target file): K3s reads them from the host's file, so nothing
/// is held in memory, whatever their size (Testcontainers copies a resource mapping through a byte array and an in-memory tar).
/// </param>
/// <param name="Environment">The container's environment: the proxy variables K3s hands to its containerd.</param>
internal sealed record K3sContainerConfiguration(
    string Image,
    IReadOnlyList<string> ExtraCommand,
    bool Reuse,
    IReadOnlyList<(string Source, string TargetDirectory)> ResourceMappings,
    IReadOnlyList<(string Source, string Target)> BindMounts,
    IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Where K3s imports image tarballs from at startup (its air-gap images directory).</summary>
    public const string ImagesDirectory = "/var/lib/rancher/k3s/agent/images/";

    /// <summary>Where K3s reads its registry configuration.</summary>
    public const string RegistriesDirectory = "/etc/rancher/k3s/";

    /// <summary>The pod range of K3s (<c>--cluster-cidr</c> default).</summary>
    public const string PodRange = "10.42.0.0/16";

    /// <summary>The service range of K3s (<c>--service-cidr</c> default).</summary>
    public const string ServiceRange = "10.43.0.0/16";

    /// <summary>The command the Testcontainers K3s builder always starts with.</summary>
    public static readonly IReadOnlyList<string> BaseCommand = ["server", "--disable=traefik"];

    /// <summary>What bypasses the proxy whenever one is set: loopback, the pod and service ranges and the cluster's DNS domains.</summary>
    public static readonly IReadOnlyList<string> AlwaysNoProxy = ["127.0.0.0/8", "localhost", PodRange, ServiceRange, ".svc", ".cluster.local"];

    /// <summary>Gets the whole command of the container.</summary>
    public IReadOnlyList<string> Command => [.. BaseCommand, .. ExtraCommand];

    /// <summary>Maps validated options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The configuration.</returns>
    public static K3sContainerConfiguration From(K3sChaosClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.HttpProxy is not null || options.HttpsProxy is not null)
        {
            foreach (var (name, value) in new[] { ("HTTP_PROXY", options.HttpProxy), ("HTTPS_PROXY", options.HttpsProxy) })
            {
                if (value is not null)
                {
                    environment[name] = value;
                }
            }

            environment["NO_PROXY"] = string.Join(',', AlwaysNoProxy.Concat(options.NoProxy).Distinct(StringComparer.Ordinal));
        }

        return new K3sContainerConfiguration(
            options.Image.Trim(),
            [.. options.ExtraServerArgs],
            options.Reuse,
            options.RegistriesYaml is { } yaml ? [(Path.GetFullPath(yaml), RegistriesDirectory)] : [],
            [.. options.ImageTarballs.Select(path => (Path.GetFullPath(path), ImagesDirectory + Path.GetFileName(path)))],
            environment);
    }

    /// <summary>The Testcontainers builder for this configuration (building it needs Docker).</summary>
    /// <returns>The builder.</returns>
    public K3sBuilder ToBuilder()
    {
        var builder = new K3sBuilder(Image).WithReuse(Reuse).WithLabel("chaos-testing", "k3s");
        if (ExtraCommand.Count > 0)
        {
            builder = builder.WithCommand([.. ExtraCommand]);
        }

        if (Environment.Count > 0)
        {
            builder = builder.WithEnvironment(Environment);
        }

        foreach (var (source, target) in ResourceMappings)
        {
            // registries.yaml is copied under that name whatever the local file is called.
            builder = builder.WithResourceMapping(File.ReadAllBytes(source), target + "registries.yaml");
        }

        foreach (var (source, target) in BindMounts)
        {
            builder = builder.WithBindMount(source, target, AccessMode.ReadOnly);
        }

        return builder;
    }
}

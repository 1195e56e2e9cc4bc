using Testcontainers.K3s;

namespace Chaos.Testing.K3s;

/// <summary>What is handed to Testcontainers for a K3s container: a pure mapping of <see cref="K3sChaosClusterOptions"/>, testable without Docker.</summary>
/// <param name="Image">The image.</param>
/// <param name="ExtraCommand">The arguments appended to the builder's <c>server --disable=traefik</c>.</param>
/// <param name="Reuse">Whether Testcontainers reuse is on.</param>
/// <param name="ResourceMappings">Files copied into the container before it starts: local source, target directory.</param>
internal sealed record K3sContainerConfiguration(
    string Image,
    IReadOnlyList<string> ExtraCommand,
    bool Reuse,
    IReadOnlyList<(string Source, string TargetDirectory)> ResourceMappings)
{
    /// <summary>Where K3s imports image tarballs from at startup (its air-gap images directory).</summary>
    public const string ImagesDirectory = "/var/lib/rancher/k3s/agent/images/";

    /// <summary>The command the Testcontainers K3s builder always starts with.</summary>
    public static readonly IReadOnlyList<string> BaseCommand = ["server", "--disable=traefik"];

    /// <summary>Gets the whole command of the container.</summary>
    public IReadOnlyList<string> Command => [.. BaseCommand, .. ExtraCommand];

    /// <summary>Maps validated options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The configuration.</returns>
    public static K3sContainerConfiguration From(K3sChaosClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new K3sContainerConfiguration(
            options.Image.Trim(),
            [.. options.ExtraServerArgs],
            options.Reuse,
            [.. options.ImageTarballs.Select(path => (Path.GetFullPath(path), ImagesDirectory))]);
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

        foreach (var (source, target) in ResourceMappings)
        {
            builder = builder.WithResourceMapping(new FileInfo(source), target);
        }

        return builder;
    }
}

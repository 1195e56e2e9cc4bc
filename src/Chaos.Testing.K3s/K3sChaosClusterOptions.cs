using System.Globalization;

namespace Chaos.Testing.K3s;

/// <summary>How <see cref="K3sChaosCluster.StartAsync(K3sChaosClusterOptions?, CancellationToken)"/> starts its K3s container.</summary>
public sealed class K3sChaosClusterOptions
{
    /// <summary>The pinned K3s image used when <see cref="Image"/> is not set.</summary>
    public const string DefaultImage = "rancher/k3s:v1.31.4-k3s1";

    /// <summary>The environment variable overriding <see cref="Image"/> in <see cref="FromEnvironment"/>.</summary>
    public const string ImageVariable = "CHAOS_K3S_IMAGE";

    /// <summary>The environment variable with image tarballs (separated by the path separator) for <see cref="FromEnvironment"/>.</summary>
    public const string ImageTarballsVariable = "CHAOS_K3S_IMAGE_TARBALLS";

    /// <summary>The environment variable that turns on <see cref="Reuse"/> (<c>true</c>/<c>1</c>) in <see cref="FromEnvironment"/>.</summary>
    public const string ReuseVariable = "CHAOS_K3S_REUSE";

    /// <summary>The environment variable with the path of a <c>registries.yaml</c> for <see cref="FromEnvironment"/>.</summary>
    public const string RegistriesYamlVariable = "CHAOS_K3S_REGISTRIES_YAML";

    /// <summary>
    /// The environment variable with the images to pre-pull (separated by spaces or commas) for <see cref="FromEnvironment"/>;
    /// the word <c>payloads</c> stands for <see cref="PayloadImages"/>.
    /// </summary>
    public const string PrePullVariable = "CHAOS_K3S_PREPULL";

    /// <summary>The largest allowed <see cref="StartupTimeout"/>.</summary>
    public static readonly TimeSpan MaxStartupTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets the K3s image, including its tag.</summary>
    /// <value>The default value is <see cref="DefaultImage"/> (<c>rancher/k3s:v1.31.4-k3s1</c>).</value>
    public string Image { get; set; } = DefaultImage;

    /// <summary>
    /// Gets the local image tarballs (<c>docker save</c> output, <c>.tar</c>) copied into the container's
    /// <c>/var/lib/rancher/k3s/agent/images/</c> before it starts, so K3s imports them and needs no registry.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> ImageTarballs { get; } = new List<string>();

    /// <summary>Gets or sets a value indicating whether the container is kept after dispose and reused by later runs with the same configuration (Testcontainers reuse).</summary>
    /// <value>The default value is <see langword="false"/>: disposing the cluster removes the container.</value>
    public bool Reuse { get; set; }

    /// <summary>Gets the extra arguments appended to <c>k3s server --disable=traefik</c>, e.g. <c>--disable=metrics-server</c>.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> ExtraServerArgs { get; } = new List<string>();

    /// <summary>Gets or sets how long starting the container and waiting for Ready nodes and CoreDNS may take.</summary>
    /// <value>The default value is 3 minutes; allowed: more than zero, at most 30 minutes.</value>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Gets the default images of the payload faults (network, disk fill and container kill, stress): what <c>payloads</c> in <see cref="PrePullVariable"/> pre-pulls.</summary>
    public static IReadOnlyList<string> PayloadImages { get; } = [NetworkFaultOptions.DefaultImage, DiskFillOptions.DefaultImage, StressFaultOptions.DefaultImage];

    /// <summary>
    /// Gets or sets the HTTP proxy of K3s and its containerd (the container's <c>HTTP_PROXY</c>): K3s pulls CoreDNS, the
    /// pause image and payload images itself, and the test process's proxy settings do not reach it otherwise.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no proxy (<see cref="FromEnvironment"/> takes <c>HTTP_PROXY</c>).</value>
    public string? HttpProxy { get; set; }

    /// <summary>Gets or sets the HTTPS proxy of K3s and its containerd (the container's <c>HTTPS_PROXY</c>).</summary>
    /// <value>The default value is <see langword="null"/>: no proxy (<see cref="FromEnvironment"/> takes <c>HTTPS_PROXY</c>).</value>
    public string? HttpsProxy { get; set; }

    /// <summary>
    /// Gets the hosts and ranges that bypass the proxy, besides those always added with a proxy: loopback,
    /// <c>localhost</c>, the pod range <c>10.42.0.0/16</c>, the service range <c>10.43.0.0/16</c>, <c>.svc</c> and <c>.cluster.local</c>.
    /// </summary>
    /// <value>The default value is an empty list (<see cref="FromEnvironment"/> takes <c>NO_PROXY</c>).</value>
    public IList<string> NoProxy { get; } = new List<string>();

    /// <summary>
    /// Gets or sets the path of a K3s <c>registries.yaml</c> (mirrors, credentials, TLS of registries) copied to
    /// <c>/etc/rancher/k3s/registries.yaml</c>: K3s' containerd pulls anonymously from the default registries otherwise;
    /// a <c>docker login</c> on the host does not reach it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: none.</value>
    public string? RegistriesYaml { get; set; }

    /// <summary>
    /// Gets the images pulled into K3s right after it is Ready (each only when K3s does not have it yet), so that no
    /// payload or cleanup container waits for a cold pull under its own timeout (for example <see cref="PayloadImages"/>).
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> PrePullImages { get; } = new List<string>();

    /// <summary>Gets or sets how long pre-pulling all of <see cref="PrePullImages"/> may take; on timeout the error names the image still pulling.</summary>
    /// <value>The default value is 10 minutes; allowed: more than zero, at most 30 minutes.</value>
    public TimeSpan PrePullTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the image of the probe pod of <see cref="K3sChaosCluster.CheckCapabilitiesAsync"/> that tries a netem qdisc (it needs <c>sh</c> and <c>tc</c>).</summary>
    /// <value>The default value is the network faults' default image, <see cref="NetworkFaultOptions.DefaultImage"/>.</value>
    public string NetemProbeImage { get; set; } = NetworkFaultOptions.DefaultImage;

    /// <summary>
    /// Options from the environment: <c>CHAOS_K3S_IMAGE</c>, <c>CHAOS_K3S_IMAGE_TARBALLS</c>, <c>CHAOS_K3S_REUSE</c>,
    /// <c>CHAOS_K3S_REGISTRIES_YAML</c>, <c>CHAOS_K3S_PREPULL</c>, and the proxy variables <c>HTTP_PROXY</c>,
    /// <c>HTTPS_PROXY</c>, <c>NO_PROXY</c> (or their lower-case forms); defaults otherwise.
    /// </summary>
    /// <returns>The options.</returns>
    public static K3sChaosClusterOptions FromEnvironment()
    {
        var options = new K3sChaosClusterOptions();
        if (Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image)
        {
            options.Image = image.Trim();
        }

        foreach (var tarball in (Environment.GetEnvironmentVariable(ImageTarballsVariable) ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.ImageTarballs.Add(tarball);
        }

        options.Reuse = Environment.GetEnvironmentVariable(ReuseVariable)?.Trim().ToLowerInvariant() is "true" or "1" or "yes";
        options.HttpProxy = Variable("HTTP_PROXY");
        options.HttpsProxy = Variable("HTTPS_PROXY");
        foreach (var host in (Variable("NO_PROXY") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.NoProxy.Add(host);
        }

        options.RegistriesYaml = Variable(RegistriesYamlVariable);
        foreach (var word in (Variable(PrePullVariable) ?? string.Empty).Split([' ', ',', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var one in word == "payloads" ? PayloadImages : [word])
            {
                options.PrePullImages.Add(one);
            }
        }

        return options;
    }

    /// <summary>Checks every option and returns all problems at once, each naming the field, its value, what is allowed and how to fix it.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Image))
        {
            errors.Add($"{nameof(Image)} is {Quote(Image)}: it must be a non-empty image reference such as \"{DefaultImage}\"; fix: set {nameof(Image)} or leave it at the default");
        }
        else if (Image.Any(char.IsWhiteSpace))
        {
            errors.Add($"{nameof(Image)} is {Quote(Image)}: an image reference cannot contain whitespace; fix: use a reference such as \"{DefaultImage}\"");
        }

        for (var i = 0; i < ImageTarballs.Count; i++)
        {
            var path = ImageTarballs[i];
            if (string.IsNullOrWhiteSpace(path))
            {
                errors.Add($"{nameof(ImageTarballs)}[{i}] is {Quote(path)}: it must be the path of an existing .tar file; fix: remove the entry or give the path of a `docker save` tarball");
            }
            else if (!path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{nameof(ImageTarballs)}[{i}] is \"{path}\": it must be an uncompressed .tar file (K3s imports *.tar from its images directory); fix: write it with `docker save -o images.tar <image>...`");
            }
            else if (!File.Exists(path))
            {
                errors.Add($"{nameof(ImageTarballs)}[{i}] is \"{path}\": the file does not exist (full path \"{Path.GetFullPath(path)}\"); fix: create it with `docker save -o {Path.GetFileName(path)} <image>...` or correct the path");
            }
        }

        if (StartupTimeout <= TimeSpan.Zero || StartupTimeout > MaxStartupTimeout)
        {
            errors.Add($"{nameof(StartupTimeout)} is {StartupTimeout.ToString("c", CultureInfo.InvariantCulture)}: it must be more than 00:00:00 and at most {MaxStartupTimeout.ToString("c", CultureInfo.InvariantCulture)}; fix: use the default of 00:03:00 or a few minutes");
        }

        K3sOptionChecks.Check(this, errors);
        for (var i = 0; i < ExtraServerArgs.Count; i++)
        {
            var arg = ExtraServerArgs[i];
            if (string.IsNullOrWhiteSpace(arg))
            {
                errors.Add($"{nameof(ExtraServerArgs)}[{i}] is {Quote(arg)}: each entry must be one non-empty k3s server argument such as \"--disable=metrics-server\"; fix: remove the entry");
            }
            else if (arg != arg.Trim())
            {
                errors.Add($"{nameof(ExtraServerArgs)}[{i}] is \"{arg}\": an argument cannot start or end with whitespace (it is passed as is, without a shell); fix: trim it");
            }
        }

        return errors;
    }

    /// <summary>Throws when <see cref="Validate"/> finds problems.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(K3sChaosClusterOptions)} ({errors.Count} problem{(errors.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", errors)}", "options");
        }
    }

    private static string? Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value.Trim()
        : Environment.GetEnvironmentVariable(name.ToLowerInvariant()) is { Length: > 0 } lower ? lower.Trim() : null;

    private static string Quote(string? value) => value is null ? "null" : $"\"{value}\"";
}

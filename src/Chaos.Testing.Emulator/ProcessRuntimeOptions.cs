namespace Chaos.Testing.Emulator;

/// <summary>
/// How the process runtime (<see cref="PodRuntime.Processes"/>) runs pods: what each image stands for, the address
/// ranges it uses, how fast it restarts crashed containers, how large each node's disk is.
/// </summary>
public sealed class ProcessRuntimeOptions
{
    /// <summary>
    /// Gets the programs that images stand for, by image reference (<c>shop/cart:1.4</c>) or by repository without a tag
    /// (<c>shop/cart</c>, for every tag). These win over the built-in images (pause, shell and distribution images, the
    /// <c>chaos-testing/echo</c> HTTP server and the Chaos.Testing payload images). A container whose image is neither
    /// waits with reason <c>ErrImagePull</c> and a message saying how to map it.
    /// </summary>
    public IDictionary<string, ImageProgram> Images { get; } = new Dictionary<string, ImageProgram>(StringComparer.Ordinal);

    /// <summary>Gets or sets the IPv4 range pods get their addresses from (CIDR, a /16 to a /28).</summary>
    /// <value>The default value is <see langword="null"/>: a free /22 of <c>10.213.0.0/16</c>, checked not to collide with this machine's routes.</value>
    public string? PodRange { get; set; }

    /// <summary>Gets or sets the IPv4 range Services get their ClusterIPs from (CIDR).</summary>
    /// <value>The default value is <see langword="null"/>: a free /24 of <c>10.214.0.0/16</c>.</value>
    public string? ServiceRange { get; set; }

    /// <summary>
    /// Gets or sets the first delay before a crashed container is started again; it doubles with each crash up to
    /// <see cref="MaxRestartBackOff"/>, as the kubelet's back-off does.
    /// </summary>
    /// <value>The default value is 10 seconds, the kubelet's.</value>
    public TimeSpan RestartBackOff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the longest delay before a crashed container is started again.</summary>
    /// <value>The default value is 5 minutes, the kubelet's.</value>
    public TimeSpan MaxRestartBackOff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets the size of each node's root filesystem in bytes: a tmpfs per node that <c>hostPath</c> volumes of
    /// the pods on that node map into (never this machine's own files) and their <c>emptyDir</c> volumes live in, so
    /// a node disk fill fills it. Its files take memory; the size is the most they take.
    /// </summary>
    /// <value>The default value is 256 MiB.</value>
    public long NodeDiskSize { get; set; } = 256L * 1024 * 1024;

    internal IEnumerable<string> Problems()
    {
        if (NodeDiskSize < 1024 * 1024 || NodeDiskSize > 64L * 1024 * 1024 * 1024)
        {
            yield return $"Processes.NodeDiskSize: must be between 1 MiB and 64 GiB (in bytes; it is a tmpfs, its files take memory), was {NodeDiskSize}.";
        }

        if (RestartBackOff <= TimeSpan.Zero || RestartBackOff > TimeSpan.FromHours(1))
        {
            yield return $"Processes.RestartBackOff: must be more than 0 and at most 1 hour, was {RestartBackOff}.";
        }

        if (MaxRestartBackOff < RestartBackOff || MaxRestartBackOff > TimeSpan.FromHours(1))
        {
            yield return $"Processes.MaxRestartBackOff: must be between RestartBackOff ({RestartBackOff}) and 1 hour, was {MaxRestartBackOff}.";
        }

        foreach (var (image, program) in Images)
        {
            if (string.IsNullOrWhiteSpace(image) || program is null || string.IsNullOrWhiteSpace(program.Program))
            {
                yield return $"Processes.Images[\"{image}\"]: needs an image reference and a program, e.g. Images[\"shop/cart:1.4\"] = new ImageProgram(\"dotnet\", \"Cart.dll\").";
            }
        }
    }
}

namespace Chaos.Testing;

/// <summary>Options shared by node payload faults: the pinned pod's namespace and image.</summary>
public abstract class NodePayloadOptions
{
    private protected NodePayloadOptions(string image) => Image = image;

    /// <summary>Gets or sets the image of the payload pod.</summary>
    public string Image { get; set; }

    /// <summary>Gets or sets the namespace the payload pods are created in (the namespace guards apply to it).</summary>
    /// <value>The default value is <c>default</c>.</value>
    public string Namespace { get; set; } = "default";

    /// <summary>
    /// Gets or sets how long each payload pod may take to start and install its fault, pulling its image included:
    /// raise it where a large payload image is pulled over a slow link, or pre-pull the image.
    /// </summary>
    /// <value>The default value is 2 minutes (<see cref="PayloadOptions.DefaultStartTimeout"/>); allowed: more than zero, at most 30 minutes.</value>
    public TimeSpan StartTimeout { get; set; } = PayloadOptions.DefaultStartTimeout;

    /// <summary>Gets or sets how long an early-recovery cleanup pod (same image) may take, pulling its image included.</summary>
    /// <value>The default value is 1 minute (<see cref="PayloadOptions.DefaultCleanupTimeout"/>); allowed: more than zero, at most 30 minutes.</value>
    public TimeSpan CleanupTimeout { get; set; } = PayloadOptions.DefaultCleanupTimeout;

    private protected void ValidatePayload(string fault, ICollection<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Image) || Image.Any(char.IsWhiteSpace))
        {
            errors.Add($"{fault}.Image: must be an image reference without spaces, was \"{Image}\".");
        }

        foreach (var (name, value) in new[] { (nameof(StartTimeout), StartTimeout), (nameof(CleanupTimeout), CleanupTimeout) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(30))
            {
                errors.Add($"{fault}.{name}: must be more than 0 and at most 30 minutes, was {value}.");
            }
        }

        if (KubernetesNames.CheckNamespace(Namespace) is { } problem)
        {
            errors.Add($"{fault}.Namespace: \"{Namespace}\" {problem}.");
        }
    }
}

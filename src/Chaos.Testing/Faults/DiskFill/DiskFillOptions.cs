namespace Chaos.Testing;

/// <summary>Options of the disk fill fault.</summary>
public sealed class DiskFillOptions : PayloadOptions
{
    /// <summary>The default image: busybox has <c>sh</c>, <c>stat -f</c>, <c>dd</c>, <c>fallocate</c> and <c>rm</c>.</summary>
    public const string DefaultImage = "busybox:1.36";

    /// <summary>Initializes a new instance of the <see cref="DiskFillOptions"/> class.</summary>
    public DiskFillOptions()
        : base(DefaultImage)
    {
    }

    /// <summary>Gets or sets how full the filesystem becomes, 1–99 percent (nothing is written when it is fuller already).</summary>
    /// <value>The default value is 90.</value>
    public int Percent { get; set; } = 90;

    /// <summary>
    /// Gets or sets the pod volume to fill (mounted into the payload container); null fills the filesystem of
    /// <see cref="Path"/> in the target container (reached through <c>/proc/1/root</c>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Volume { get; set; }

    /// <summary>Gets or sets the directory in the target container whose filesystem is filled when no <see cref="Volume"/> is given.</summary>
    /// <value>The default value is <c>/tmp</c>.</value>
    public string Path { get; set; } = "/tmp";

    internal const string VolumeMount = PayloadProfile.VolumeMount;

    internal void Validate(ICollection<string> errors)
    {
        ValidatePayload("FillDisk", errors);
        DiskFillSpec.PercentRange.Check("FillDisk.Percent", Percent, errors);

        if (Volume is not null && KubernetesNames.CheckName(Volume) is { } problem)
        {
            errors.Add($"FillDisk.Volume: \"{Volume}\" {problem}.");
        }

        if (Volume is null && (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/') || Path.Contains("..", StringComparison.Ordinal) || Path.Any(char.IsControl)))
        {
            errors.Add($"FillDisk.Path: must be an absolute directory path without \"..\", e.g. \"/tmp\", was \"{Path}\".");
        }
    }

    internal string FillDirectory => Volume is null ? "/proc/1/root" + (Path == "/" ? string.Empty : Path.TrimEnd('/')) : VolumeMount;
}

namespace Chaos.Testing;

/// <summary>Options of the node disk fill fault.</summary>
public sealed class NodeDiskFillOptions : NodePayloadOptions
{
    /// <summary>Initializes a new instance of the <see cref="NodeDiskFillOptions"/> class.</summary>
    public NodeDiskFillOptions()
        : base(DiskFillOptions.DefaultImage)
    {
    }

    /// <summary>Gets or sets the directory on the node whose filesystem is filled (mounted with hostPath).</summary>
    /// <value>The default value is <c>/var/tmp</c>.</value>
    public string Path { get; set; } = "/var/tmp";

    /// <summary>Gets or sets how full the filesystem becomes, 1–99 percent.</summary>
    /// <value>The default value is 90.</value>
    public int Percent { get; set; } = 90;

    internal void Validate(ICollection<string> errors)
    {
        ValidatePayload("FillDisk", errors);
        if (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/') || Path.Contains("..", StringComparison.Ordinal) || Path.Any(char.IsControl) || Path == "/")
        {
            errors.Add($"FillDisk.Path: must be an absolute directory on the node other than \"/\", without \"..\", e.g. \"/var/tmp\", was \"{Path}\".");
        }

        DiskFillSpec.PercentRange.Check("FillDisk.Percent", Percent, errors);
    }
}

namespace Chaos.Testing;

/// <summary>Options of the node CPU stress fault.</summary>
public sealed class NodeCpuStressOptions : NodePayloadOptions
{
    /// <summary>Initializes a new instance of the <see cref="NodeCpuStressOptions"/> class.</summary>
    public NodeCpuStressOptions()
        : base(StressFaultOptions.DefaultImage)
    {
    }

    /// <summary>Gets or sets how many stress-ng workers run on each node.</summary>
    /// <value>The default value is 1.</value>
    public int Workers { get; set; } = 1;

    /// <summary>Gets or sets the load each worker puts on its CPU, 1–100 percent.</summary>
    /// <value>The default value is 100.</value>
    public int Load { get; set; } = 100;

    internal void Validate(ICollection<string> errors)
    {
        ValidatePayload("StressCpu", errors);
        CpuStressSpec.WorkersRange.Check("StressCpu.Workers", Workers, errors);

        CpuStressSpec.LoadRange.Check("StressCpu.Load", Load, errors, "percent of a CPU per worker");
    }
}

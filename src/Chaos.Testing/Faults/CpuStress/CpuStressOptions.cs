namespace Chaos.Testing;

/// <summary>Options of the CPU stress fault.</summary>
public sealed class CpuStressOptions : StressFaultOptions
{
    /// <summary>Gets or sets the load each worker puts on its CPU, 1–100 percent.</summary>
    /// <value>The default value is 100.</value>
    public int Load { get; set; } = 100;

    internal void Validate(ICollection<string> errors)
    {
        ValidateStress("StressCpu", CpuStressSpec.WorkersRange, errors);
        CpuStressSpec.LoadRange.Check("StressCpu.Load", Load, errors, "percent of a CPU per worker");
    }
}

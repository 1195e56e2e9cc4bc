namespace Chaos.Testing;

/// <summary>Options of the memory stress fault: give <see cref="Bytes"/> or <see cref="Percent"/>.</summary>
public sealed class MemoryStressOptions : StressFaultOptions
{
    /// <summary>Gets or sets how much memory the workers hold together, in bytes (at least 1 MiB).</summary>
    /// <value>The default value is 256 MiB.</value>
    public long? Bytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets how much of the node's memory (MemTotal) the workers hold, 1–100 percent; when set it replaces <see cref="Bytes"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Percent { get; set; }

    internal void Validate(ICollection<string> errors)
    {
        ValidateStress("StressMemory", MemoryStressSpec.WorkersRange, errors);
        if (Percent is { } percent)
        {
            MemoryStressSpec.PercentRange.Check("StressMemory.Percent", percent, errors);
        }
        else if (Bytes is null || Bytes < MemoryStressSpec.MinBytes)
        {
            errors.Add($"StressMemory.Bytes: must be at least 1 MiB ({MemoryStressSpec.MinBytes}), was {Bytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}; or set Percent.");
        }
    }

    internal MemoryStressSpec ToSpec() => Percent is { } percent ? MemoryStressSpec.OfPercent(percent, Workers) : MemoryStressSpec.OfBytes(Bytes!.Value, Workers);
}

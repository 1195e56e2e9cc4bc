namespace Chaos.Testing;

/// <summary>Options of the packet loss fault (besides the percentage given to <c>LosePackets</c>).</summary>
public sealed class PacketLossOptions : NetworkFaultOptions
{
    /// <summary>Gets or sets how much each loss depends on the previous one, 0–100 percent (netem only).</summary>
    /// <value>The default value is 0.</value>
    public double Correlation { get; set; }

    internal void Validate(double percent, ICollection<string> errors)
    {
        ValidateNetwork("LosePackets", errors);
        Percent("LosePackets.Percent", percent, errors);
        if (double.IsNaN(Correlation) || Correlation is < 0 or > 100)
        {
            errors.Add($"LosePackets.Correlation: must be between 0 and 100 (percent), was {Correlation}.");
        }
    }
}

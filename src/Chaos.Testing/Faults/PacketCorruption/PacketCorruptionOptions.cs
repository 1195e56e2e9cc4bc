namespace Chaos.Testing;

/// <summary>Options of the packet corruption fault.</summary>
public sealed class PacketCorruptionOptions : NetworkFaultOptions
{
    internal void Validate(double percent, ICollection<string> errors)
    {
        ValidateNetwork("CorruptPackets", errors);
        Percent("CorruptPackets.Percent", percent, errors);
    }
}

namespace Chaos.Testing;

/// <summary>Options of the packet duplication fault.</summary>
public sealed class PacketDuplicationOptions : NetworkFaultOptions
{
    internal void Validate(double percent, ICollection<string> errors)
    {
        ValidateNetwork("DuplicatePackets", errors);
        Percent("DuplicatePackets.Percent", percent, errors);
    }
}

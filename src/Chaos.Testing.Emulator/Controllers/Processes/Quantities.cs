using System.Text.Json.Nodes;
using k8s.Models;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>Resource quantities of a container's limits, as the process runtime applies them to cgroups.</summary>
internal static class Quantities
{
    /// <summary>A memory quantity in bytes (<c>64Mi</c> → 67108864), or null when none is set.</summary>
    public static long? Bytes(JsonNode? quantity) =>
        quantity is null ? null : (long)decimal.Ceiling(new ResourceQuantity(quantity.ToString()).ToDecimal());

    /// <summary>A CPU quantity in millicores (<c>250m</c> → 250, <c>2</c> → 2000), or null when none is set.</summary>
    public static long? Millicores(JsonNode? quantity) =>
        quantity is null ? null : (long)decimal.Ceiling(new ResourceQuantity(quantity.ToString()).ToDecimal() * 1000);
}

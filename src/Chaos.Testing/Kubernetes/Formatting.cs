using System.Globalization;

namespace Chaos.Testing;

/// <summary>Culture-independent number formats for messages.</summary>
internal static class Formatting
{
    /// <summary>A share (0–1) as a percentage, e.g. <c>23.4%</c>, the same in every culture.</summary>
    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}

using System.Globalization;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>RFC 3339 timestamps in whole seconds, as the API server writes <c>metav1.Time</c>.</summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a timestamp the store wrote (or a client sent, RFC 3339).</summary>
    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

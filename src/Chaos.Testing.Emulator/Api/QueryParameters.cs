using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Api;

/// <summary>Query parameters read the way the API server's parameter codec converts them.</summary>
internal static class QueryParameters
{
    /// <summary>
    /// A boolean parameter as the API server reads it (apimachinery's string-slice-to-bool conversion): absent is
    /// false, <c>0</c> and <c>false</c> in any case are false, and every other value, the empty one too, is true.
    /// So <c>watch=True</c> (the Python client) and <c>watch=1</c> both start a watch.
    /// </summary>
    public static bool Bool(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return false;
        }

        var first = values[0] ?? string.Empty;
        return first != "0" && !first.Equals("false", StringComparison.OrdinalIgnoreCase);
    }
}

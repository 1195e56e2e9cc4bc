namespace Chaos.Testing;

/// <summary>The nearest known name to a misspelt one, for "did you mean" hints.</summary>
internal static class DidYouMean
{
    /// <summary>A hint like <c> Did you mean "cpuLoad"?</c>, or empty when no known name is near.</summary>
    public static string Hint(string given, IEnumerable<string> known)
    {
        var best = Nearest(given, known);
        return best is null ? string.Empty : $" Did you mean \"{best}\"?";
    }

    /// <summary>The known name nearest to <paramref name="given"/> (same letters ignoring case, or within a few edits), or null.</summary>
    public static string? Nearest(string given, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var distance = string.Equals(name, given, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(given.ToLowerInvariant(), name.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, given.Length / 3) ? best : null;
    }

    /// <summary>The Levenshtein distance (insert, delete, substitute) between two strings.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

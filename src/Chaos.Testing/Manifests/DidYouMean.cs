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
            var (a, b) = (given.ToLowerInvariant(), name.ToLowerInvariant());
            var distance = a == b ? 0 : b.Length >= 3 && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal)) ? 1 : Distance(a, b);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best is not null && bestDistance < given.Length && bestDistance <= Math.Max(1, given.Length / 3) ? best : null;
    }

    /// <summary>The edit distance (insert, delete, substitute, swap two neighbours) between two strings.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

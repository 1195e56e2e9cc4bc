using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Selectors;

/// <summary>A parsed label selector string (<c>a=b,c!=d,e in (f,g),h notin (i),j,!k</c>).</summary>
internal sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseTerm(term.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    // Commas inside "in (a,b)" do not separate terms.
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw Invalid(whole, "empty requirement");
        }

        if (term[0] == '!')
        {
            return new Requirement(Key(term[1..].Trim(), whole), Operator.DoesNotExist, []);
        }

        var setMatch = System.Text.RegularExpressions.Regex.Match(term, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
        if (setMatch.Success)
        {
            var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
            var op = setMatch.Groups[2].Value == "in" ? Operator.In : Operator.NotIn;
            if (values.Length == 0 && op == Operator.In)
            {
                throw Invalid(whole, $"for 'in' operator, values set can't be empty ({term})");
            }

            return new Requirement(Key(setMatch.Groups[1].Value, whole), op, values);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotEquals), ("==", Operator.Equals), ("=", Operator.Equals) })
        {
            var index = term.IndexOf(token, StringComparison.Ordinal);
            if (index > 0)
            {
                var value = term[(index + token.Length)..].Trim();
                return new Requirement(Key(term[..index].Trim(), whole), op, [value]);
            }
        }

        if (term.Contains(' ', StringComparison.Ordinal) || term.Contains('(', StringComparison.Ordinal))
        {
            throw Invalid(whole, $"unable to parse requirement: {term}");
        }

        return new Requirement(Key(term, whole), Operator.Exists, []);
    }

    private static string Key(string key, string whole)
    {
        if (key.Length == 0 || key.Length > 317 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!'))
        {
            throw Invalid(whole, $"invalid label key \"{key}\"");
        }

        return key;
    }

    private static ApiException Invalid(string selector, string detail) =>
        ApiException.BadRequest($"unable to parse requirement: {detail} in label selector \"{selector}\"");

    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, string[] Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Equals or Operator.In => has && Values.Contains(value),
                Operator.NotEquals or Operator.NotIn => !has || !Values.Contains(value),
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                _ => false,
            };
        }
    }
}

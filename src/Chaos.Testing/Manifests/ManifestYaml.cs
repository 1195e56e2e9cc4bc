using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Chaos.Testing;

/// <summary>Typed reads of YAML nodes that add a problem (with its line and field path) instead of throwing.</summary>
internal sealed class ManifestYaml(string source, List<ManifestProblem> problems, List<ManifestProblem> notices)
{
    public string Source => source;

    public void Problem(YamlNode? node, string path, string message) => problems.Add(new(source, Line(node), path, message));

    public void Notice(YamlNode? node, string path, string message) => notices.Add(new(source, Line(node), path, message));

    /// <summary>The entries of a mapping; a key not in <paramref name="known"/> is a problem naming the known ones.</summary>
    public IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode map, string path, IReadOnlyCollection<string> known, string what)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(key))
            {
                Problem(keyNode, Join(path, key), $"unknown field of {what}.{DidYouMean.Hint(key, known)} Known fields: {string.Join(", ", known)}.");
                continue;
            }

            yield return (key, value);
        }
    }

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        if (!IsNull(node))
        {
            Problem(node, path, $"must be a mapping (key: value lines), was {Describe(node)}.");
        }

        return null;
    }

    public string? String(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Problem(node, path, $"must be a string, was {Describe(node)}.");
        return null;
    }

    public int? Int(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a whole number");
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problem(node, path, $"must be a whole number, was \"{text}\".");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        var text = Scalar(node, path, "true or false");
        if (text is null)
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return true;
        }

        if (text is "false" or "False" or "FALSE")
        {
            return false;
        }

        Problem(node, path, $"must be true or false, was \"{text}\".");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a duration");
        if (text is null)
        {
            return null;
        }

        var value = ManifestDurations.Parse(text);
        if (value is null)
        {
            Problem(node, path, $"must match {ManifestDurations.Pattern} (whole numbers with s, m or h, e.g. \"30s\", \"5m\", \"1h30m\"), was \"{text}\".");
        }

        return value;
    }

    public IReadOnlyList<(YamlNode Node, string Path)> Sequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children.Select((item, i) => (item, $"{path}[{i}]")).ToList();
        }

        if (!IsNull(node))
        {
            Problem(node, path, $"must be a list, was {Describe(node)}.");
        }

        return [];
    }

    public List<string> StringList(YamlNode node, string path) =>
        Sequence(node, path).Select(item => String(item.Node, item.Path)).OfType<string>().ToList();

    public List<int> IntList(YamlNode node, string path) =>
        Sequence(node, path).Select(item => Int(item.Node, item.Path)).OfType<int>().ToList();

    public Dictionary<string, string> StringMap(YamlNode node, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Mapping(node, path) is not { } map)
        {
            return result;
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (String(value, Join(path, key)) is { } text)
            {
                result[key] = text;
            }
        }

        return result;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static int? Line(YamlNode? node) => node is null || node.Start.Line <= 0 ? null : (int)node.Start.Line;

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private string? Scalar(YamlNode node, string path, string what)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Problem(node, path, $"must be {what}, was {Describe(node)}.");
        return null;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"\"{scalar.Value}\"",
        _ => "something else",
    };
}

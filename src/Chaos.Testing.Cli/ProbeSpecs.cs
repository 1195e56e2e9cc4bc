using System.Globalization;

namespace Chaos.Testing.Cli;

/// <summary>
/// Steady-state probes written as text, for <c>chaos run --verify</c> and the config file's <c>verify</c>: each is added
/// to every experiment of the run, checked before the fault (a broken steady state aborts it, nothing injected) and
/// required to hold again within a deadline after recovery, and with a tolerance also during the hold.
/// </summary>
internal static class ProbeSpecs
{
    /// <summary>The forms a probe may take, for messages and help.</summary>
    public const string Forms =
        "deployment:<namespace>/<name>, statefulset:<namespace>/<name>, pods:<namespace>[/<label>=<value>[,...]][@<count>|@<percent>%], or an http:// or https:// URL";

    /// <summary>The probes of <paramref name="specs"/>, each checked as <paramref name="deadline"/> and <paramref name="during"/> say.</summary>
    /// <param name="specs">The probes as text.</param>
    /// <param name="source">Where they come from, for messages (<c>--verify</c>, or the config file).</param>
    /// <param name="deadline">How soon after recovery each must hold again.</param>
    /// <param name="during">The share of the hold each may be broken; null when not checked during the hold.</param>
    /// <exception cref="InvalidDataException">A probe does not parse or is invalid (the message names it, the forms and the fix).</exception>
    public static IReadOnlyList<SteadyStateProbe> Parse(IEnumerable<string> specs, string source, TimeSpan deadline, double? during)
    {
        var probes = new List<SteadyStateProbe>();
        foreach (var raw in specs ?? [])
        {
            var spec = raw?.Trim() ?? throw new InvalidDataException($"{source}: an entry is null; use {Forms}.");
            var probe = ParseOne(spec, source).BeforeAndAfter(deadline);
            probe = during is { } tolerance ? probe.During(tolerance) : probe;
            var errors = new List<string>();
            probe.Validate(errors);
            if (errors.Count > 0)
            {
                throw new InvalidDataException($"{source} \"{spec}\": {string.Join(" ", errors)} Use {Forms}.");
            }

            probes.Add(probe);
        }

        return probes;
    }

    /// <summary>A share of the hold: <c>0.2</c> or <c>20%</c>, from 0 to 1.</summary>
    /// <exception cref="InvalidDataException">Not a share (the message names the option and the forms).</exception>
    public static double ParseShare(string text, string source)
    {
        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || (percent ? value / 100 : value) is < 0 or > 1 or double.NaN)
        {
            throw new InvalidDataException($"{source} \"{text}\": the share of the hold a probe may be broken, from 0 to 1 (0.2) or 0% to 100% (20%).");
        }

        return percent ? value / 100 : value;
    }

    private static SteadyStateProbe ParseOne(string spec, string source)
    {
        if (spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return SteadyState.Http(spec);
        }

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var (kind, rest) = colon < 0 ? (spec, string.Empty) : (spec[..colon], spec[(colon + 1)..]);
        return kind.ToLowerInvariant() switch
        {
            "deployment" => SteadyState.DeploymentAvailable(Namespace(rest, spec, source), Name(rest, spec, source)),
            "statefulset" => SteadyState.StatefulSetReady(Namespace(rest, spec, source), Name(rest, spec, source)),
            "pods" => Pods(rest, spec, source),
            _ => throw Invalid(spec, source, $"unknown probe \"{kind}\""),
        };
    }

    private static SteadyStateProbe Pods(string rest, string spec, string source)
    {
        var at = rest.LastIndexOf('@');
        var (selection, count) = at < 0 ? (rest, "1") : (rest[..at], rest[(at + 1)..]);
        var slash = selection.IndexOf('/', StringComparison.Ordinal);
        var target = global::Chaos.Testing.Pods.In(slash < 0 ? selection : selection[..slash]);
        foreach (var label in slash < 0 ? [] : selection[(slash + 1)..].Split(','))
        {
            var equals = label.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Invalid(spec, source, $"the label \"{label}\" is not <label>=<value>");
            }

            target = target.WithLabel(label[..equals], label[(equals + 1)..]);
        }

        if (count.EndsWith('%') && int.TryParse(count[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
        {
            return SteadyState.PodsReadyPercent(target, percent);
        }

        return int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var atLeast)
            ? SteadyState.PodsReady(target, atLeast)
            : throw Invalid(spec, source, $"\"@{count}\" is not a count (@2) or a percent of the pods there were at the start (@80%)");
    }

    private static string Namespace(string rest, string spec, string source) =>
        rest.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? rest[..slash] : throw Invalid(spec, source, "it needs <namespace>/<name>");

    private static string Name(string rest, string spec, string source) => rest[(rest.IndexOf('/', StringComparison.Ordinal) + 1)..] is { Length: > 0 } name
        ? name
        : throw Invalid(spec, source, "it needs <namespace>/<name>");

    private static InvalidDataException Invalid(string spec, string source, string problem) =>
        new($"{source} \"{spec}\": {problem}; use {Forms}.");
}

using System.Collections.Immutable;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Which nodes an experiment may pick from: labels, names and exclusions. Immutable. Start with
/// <see cref="Nodes.All"/> or <see cref="Nodes.Named(string[])"/>.
/// </summary>
public sealed record NodeTarget
{
    internal NodeTarget()
    {
    }

    internal ImmutableList<LabelRequirement> Labels { get; init; } = [];

    internal ImmutableList<string> Names { get; init; } = [];

    internal ImmutableList<string> ExceptNames { get; init; } = [];

    /// <summary>Gets the pods whose nodes are the candidates, or null for every node.</summary>
    internal PodTarget? Hosting { get; init; }

    /// <summary>Keeps nodes whose label <paramref name="key"/> equals <paramref name="value"/>.</summary>
    /// <param name="key">The label key, e.g. <c>topology.kubernetes.io/zone</c>.</param>
    /// <param name="value">The value.</param>
    /// <returns>A new target.</returns>
    public NodeTarget WithLabel(string key, string value) => this with { Labels = Labels.Add(new(key, LabelOperator.Equals, [value])) };

    /// <summary>Keeps only the nodes with these names.</summary>
    /// <param name="names">Node names.</param>
    /// <returns>A new target.</returns>
    public NodeTarget Named(params string[] names) => this with { Names = Names.AddRange(names ?? []) };

    /// <summary>Never picks the nodes with these names (in addition to nodes labelled <see cref="SafetyOptions.ExclusionLabel"/>).</summary>
    /// <param name="names">Node names.</param>
    /// <returns>A new target.</returns>
    public NodeTarget Except(params string[] names) => this with { ExceptNames = ExceptNames.AddRange(names ?? []) };

    internal string? LabelSelector => Labels.IsEmpty ? null : string.Join(",", Labels);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = Hosting is null ? "nodes" : $"nodes hosting {Hosting}";
        if (!Labels.IsEmpty)
        {
            text += $" with labels {LabelSelector}";
        }

        if (!Names.IsEmpty)
        {
            text += $" named {string.Join(", ", Names)}";
        }

        if (!ExceptNames.IsEmpty)
        {
            text += $" except {string.Join(", ", ExceptNames)}";
        }

        return text;
    }

    internal bool Matches(V1Node node) =>
        (Names.IsEmpty || Names.Contains(node.Metadata.Name)) && !ExceptNames.Contains(node.Metadata.Name);

    internal void Validate(ICollection<string> errors)
    {
        Hosting?.Validate(errors);
        foreach (var label in Labels)
        {
            label.Validate("Target.Labels", errors);
        }

        foreach (var name in Names.Concat(ExceptNames))
        {
            if (KubernetesNames.CheckName(name) is { } problem)
            {
                errors.Add($"Target.Names: node \"{name}\" {problem}.");
            }
        }
    }
}

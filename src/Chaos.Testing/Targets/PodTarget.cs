using System.Collections.Immutable;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Which pods an experiment may pick from: namespaces, labels, fields, names and exclusions. Immutable: every
/// method returns a new target, so a shared base target can be refined safely. Start with <see cref="Pods.In(string[])"/>.
/// </summary>
public sealed partial record PodTarget
{
    internal PodTarget(ImmutableArray<string> namespaces) => Namespaces = namespaces;

    internal ImmutableArray<string> Namespaces { get; }

    internal ImmutableList<LabelRequirement> Labels { get; init; } = [];

    internal ImmutableList<string> Fields { get; init; } = [];

    internal ImmutableList<string> Names { get; init; } = [];

    internal ImmutableList<LabelRequirement> Exclusions { get; init; } = [];

    /// <summary>Keeps pods whose label <paramref name="key"/> equals <paramref name="value"/>.</summary>
    /// <param name="key">The label key, e.g. <c>app</c>.</param>
    /// <param name="value">The value.</param>
    /// <returns>A new target.</returns>
    public PodTarget WithLabel(string key, string value) => this with { Labels = Labels.Add(new(key, LabelOperator.Equals, [value])) };

    /// <summary>Keeps pods whose label <paramref name="key"/> is one of <paramref name="values"/> (set-based <c>in</c>).</summary>
    /// <param name="key">The label key.</param>
    /// <param name="values">The accepted values (at least one).</param>
    /// <returns>A new target.</returns>
    public PodTarget WithLabelIn(string key, params string[] values) => this with { Labels = Labels.Add(new(key, LabelOperator.In, [.. values ?? []])) };

    /// <summary>Keeps pods whose label <paramref name="key"/> is missing or none of <paramref name="values"/> (set-based <c>notin</c>).</summary>
    /// <param name="key">The label key.</param>
    /// <param name="values">The rejected values (at least one).</param>
    /// <returns>A new target.</returns>
    public PodTarget WithLabelNotIn(string key, params string[] values) => this with { Labels = Labels.Add(new(key, LabelOperator.NotIn, [.. values ?? []])) };

    /// <summary>Keeps pods that have the label <paramref name="key"/>, whatever its value.</summary>
    /// <param name="key">The label key.</param>
    /// <returns>A new target.</returns>
    public PodTarget WithLabelPresent(string key) => this with { Labels = Labels.Add(new(key, LabelOperator.Exists, [])) };

    /// <summary>Keeps pods that do not have the label <paramref name="key"/> (<c>!key</c>).</summary>
    /// <param name="key">The label key.</param>
    /// <returns>A new target.</returns>
    public PodTarget WithoutLabel(string key) => this with { Labels = Labels.Add(new(key, LabelOperator.DoesNotExist, [])) };

    /// <summary>Keeps pods matching a field selector term understood by the API, e.g. <c>spec.nodeName=node-1</c> or <c>status.phase=Running</c>.</summary>
    /// <param name="fieldSelector">One or more comma-separated <c>field=value</c> / <c>field!=value</c> terms.</param>
    /// <returns>A new target.</returns>
    public PodTarget WithField(string fieldSelector) => this with { Fields = Fields.Add(fieldSelector) };

    /// <summary>Keeps only the pods with these names.</summary>
    /// <param name="names">Pod names.</param>
    /// <returns>A new target.</returns>
    public PodTarget Named(params string[] names) => this with { Names = Names.AddRange(names ?? []) };

    /// <summary>Never picks pods whose label <paramref name="key"/> equals <paramref name="value"/> (in addition to the safety exclusion label).</summary>
    /// <param name="key">The label key.</param>
    /// <param name="value">The value.</param>
    /// <returns>A new target.</returns>
    public PodTarget Excluding(string key, string value) => this with { Exclusions = Exclusions.Add(new(key, LabelOperator.Equals, [value])) };

    /// <summary>Gets the label selector sent to the API.</summary>
    internal string? LabelSelector => Labels.IsEmpty ? null : string.Join(",", Labels);

    /// <summary>Gets the field selector sent to the API.</summary>
    internal string? FieldSelector => Fields.IsEmpty ? null : string.Join(",", Fields);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = $"pods in {string.Join(", ", Namespaces)}";
        if (!Labels.IsEmpty)
        {
            text += $" with labels {LabelSelector}";
        }

        if (!Fields.IsEmpty)
        {
            text += $" with fields {FieldSelector}";
        }

        if (!Names.IsEmpty)
        {
            text += $" named {string.Join(", ", Names)}";
        }

        if (!Exclusions.IsEmpty)
        {
            text += $" excluding {string.Join(", ", Exclusions)}";
        }

        return text;
    }

    internal bool IsExcluded(V1Pod pod) => Exclusions.Any(e => e.Matches(pod.Metadata.Labels));

    internal void Validate(ICollection<string> errors)
    {
        if (Namespaces.IsDefaultOrEmpty)
        {
            errors.Add("Target.Namespaces: at least one namespace is required; use Pods.In(\"my-namespace\").");
        }
        else
        {
            foreach (var ns in Namespaces)
            {
                if (KubernetesNames.CheckNamespace(ns) is { } problem)
                {
                    errors.Add($"Target.Namespaces: \"{ns}\" {problem}.");
                }
            }
        }

        foreach (var label in Labels)
        {
            label.Validate("Target.Labels", errors);
        }

        foreach (var exclusion in Exclusions)
        {
            exclusion.Validate("Target.Exclusions", errors);
        }

        foreach (var field in Fields)
        {
            if (string.IsNullOrWhiteSpace(field) || field.Split(',').Any(t => !FieldTerm().IsMatch(t.Trim())))
            {
                errors.Add($"Target.Fields: \"{field}\" is not a field selector; use terms like \"spec.nodeName=node-1\" or \"status.phase!=Pending\".");
            }
        }

        foreach (var name in Names)
        {
            if (KubernetesNames.CheckName(name) is { } problem)
            {
                errors.Add($"Target.Names: \"{name}\" {problem}.");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9.]*(!=|==|=)[^=!]*\\z")]
    private static partial System.Text.RegularExpressions.Regex FieldTerm();
}

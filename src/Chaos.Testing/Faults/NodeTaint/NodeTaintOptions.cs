namespace Chaos.Testing;

/// <summary>Options of the node taint fault.</summary>
public sealed class NodeTaintOptions
{
    /// <summary>Gets or sets the taint key.</summary>
    /// <value>The default value is <c>chaos.testing/taint</c>.</value>
    public string Key { get; set; } = "chaos.testing/taint";

    /// <summary>Gets or sets the taint value (may be empty).</summary>
    /// <value>The default value is empty.</value>
    public string Value { get; set; } = string.Empty;

    /// <summary>Gets or sets the effect.</summary>
    /// <value>The default value is <see cref="TaintEffect.NoSchedule"/>.</value>
    public TaintEffect Effect { get; set; } = TaintEffect.NoSchedule;

    internal void Validate(ICollection<string> errors)
    {
        if (KubernetesNames.CheckLabelKey(Key) is { } keyProblem)
        {
            errors.Add($"Taint.Key: \"{Key}\" {keyProblem}.");
        }

        if (KubernetesNames.CheckLabelValue(Value ?? string.Empty) is { } valueProblem)
        {
            errors.Add($"Taint.Value: \"{Value}\" {valueProblem}.");
        }

        if (!Enum.IsDefined(Effect))
        {
            errors.Add($"Taint.Effect: must be NoSchedule, PreferNoSchedule or NoExecute, was {(int)Effect}.");
        }
    }
}

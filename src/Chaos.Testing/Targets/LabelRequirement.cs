namespace Chaos.Testing;

/// <summary>One term of a label selector, rendered in the API's selector syntax.</summary>
internal sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public override string ToString() => Operator switch
    {
        LabelOperator.Equals => $"{Key}={Values[0]}",
        LabelOperator.NotEquals => $"{Key}!={Values[0]}",
        LabelOperator.In => $"{Key} in ({string.Join(",", Values)})",
        LabelOperator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
        LabelOperator.Exists => Key,
        LabelOperator.DoesNotExist => $"!{Key}",
        _ => Key,
    };

    public bool Matches(IDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(Key, out value);
        return Operator switch
        {
            LabelOperator.Equals or LabelOperator.In => has && Values.Contains(value),
            LabelOperator.NotEquals or LabelOperator.NotIn => !has || !Values.Contains(value),
            LabelOperator.Exists => has,
            LabelOperator.DoesNotExist => !has,
            _ => false,
        };
    }

    public void Validate(string field, ICollection<string> errors)
    {
        if (KubernetesNames.CheckLabelKey(Key) is { } keyProblem)
        {
            errors.Add($"{field}: label key \"{Key}\" {keyProblem}.");
        }

        if (Operator is LabelOperator.In or LabelOperator.NotIn && Values.Count == 0)
        {
            errors.Add($"{field}: '{(Operator == LabelOperator.In ? "in" : "notin")}' for label \"{Key}\" needs at least one value.");
        }

        foreach (var value in Values)
        {
            if (KubernetesNames.CheckLabelValue(value) is { } valueProblem)
            {
                errors.Add($"{field}: value \"{value}\" of label \"{Key}\" {valueProblem}.");
            }
        }
    }
}

/// <summary>Label selector operators.</summary>
internal enum LabelOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

namespace Chaos.Testing;

/// <summary>Options shared by node payload faults: the pinned pod's namespace and image.</summary>
public abstract class NodePayloadOptions
{
    private protected NodePayloadOptions(string image) => Image = image;

    /// <summary>Gets or sets the image of the payload pod.</summary>
    public string Image { get; set; }

    /// <summary>Gets or sets the namespace the payload pods are created in (the namespace guards apply to it).</summary>
    /// <value>The default value is <c>default</c>.</value>
    public string Namespace { get; set; } = "default";

    private protected void ValidatePayload(string fault, ICollection<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Image) || Image.Any(char.IsWhiteSpace))
        {
            errors.Add($"{fault}.Image: must be an image reference without spaces, was \"{Image}\".");
        }

        if (KubernetesNames.CheckNamespace(Namespace) is { } problem)
        {
            errors.Add($"{fault}.Namespace: \"{Namespace}\" {problem}.");
        }
    }
}

using System.Collections.ObjectModel;

namespace Chaos.Testing;

/// <summary>Options of the pod failure fault.</summary>
public sealed class PodFailureOptions
{
    /// <summary>The default pause image: the sandbox image K3s ships, so it is present on K3s nodes without a pull.</summary>
    public const string DefaultImage = "rancher/mirrored-pause:3.6";

    /// <summary>Gets or sets the image the targeted containers run while the fault holds (it must do nothing, like a pause image).</summary>
    /// <value>The default value is <see cref="DefaultImage"/>.</value>
    public string Image { get; set; } = DefaultImage;

    /// <summary>Gets the containers to fail; empty means every (non-init, non-ephemeral) container of the pod.</summary>
    /// <value>The default value is empty.</value>
    public Collection<string> Containers { get; } = [];

    internal void Validate(ICollection<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Image) || Image.Any(char.IsWhiteSpace))
        {
            errors.Add($"PodFailure.Image: must be an image reference without spaces, e.g. \"{DefaultImage}\", was \"{Image}\".");
        }

        foreach (var name in Containers)
        {
            if (KubernetesNames.CheckName(name) is { } problem)
            {
                errors.Add($"PodFailure.Containers: \"{name}\" {problem}.");
            }
        }
    }
}

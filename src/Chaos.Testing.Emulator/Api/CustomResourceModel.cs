using System.Text.Json.Serialization;
using k8s.Models;

namespace Chaos.Testing.Emulator.Api;

/// <summary>
/// What the API server decodes of any custom resource before its schema is applied: type metadata and ObjectMeta; the
/// rest is checked against the CRD's openAPIV3Schema.
/// </summary>
internal sealed class CustomResourceModel
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta? Metadata { get; set; }
}

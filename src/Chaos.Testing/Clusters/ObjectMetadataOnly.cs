using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>Any object read for its metadata only (the resourceVersion to replace it).</summary>
internal sealed class ObjectMetadataOnly : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}

namespace Chaos.Testing.Emulator.Api;

/// <summary>A kind of object the emulator serves, as discovery describes it, and its <c>k8s.Models</c> type (its schema).</summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    string[] ShortNames,
    string[] Subresources,
    string[] Verbs,
    Type Model)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    public string ListKind => Kind + "List";

    public bool HasStatus => Subresources.Contains("status");

    /// <summary>Kinds whose API returns the deleted object (not a Status) from DELETE.</summary>
    public bool ReturnsDeletedObject => Group.Length == 0 && Plural is "pods" or "services";

    /// <summary>Gets the <c>openAPIV3Schema</c> of a custom resource's version (null for built-in kinds and schemaless versions).</summary>
    public System.Text.Json.Nodes.JsonObject? Schema { get; init; }

    /// <summary>Gets a value indicating whether a CustomResourceDefinition defines this kind.</summary>
    public bool IsCustom { get; init; }

    /// <summary>Two types are the same resource when group, version and plural match (a CRD's type is rebuilt as it changes).</summary>
    public bool Equals(ResourceType? other) =>
        other is not null && Group == other.Group && Version == other.Version && Plural == other.Plural;

    public override int GetHashCode() => HashCode.Combine(Group, Version, Plural);

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

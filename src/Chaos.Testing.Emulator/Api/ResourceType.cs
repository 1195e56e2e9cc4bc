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

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

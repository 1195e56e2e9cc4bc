using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <content>The types served: the built-in ones and those the stored CustomResourceDefinitions define.</content>
internal sealed partial class ResourceStore
{
    /// <summary>Every type served now: the built-in ones, then the custom resources' (one per served version).</summary>
    public IReadOnlyList<ResourceType> Types()
    {
        var custom = CustomTypes();
        return custom.Count == 0 ? ResourceTypes.Served : [.. ResourceTypes.Served, .. custom];
    }

    /// <summary>The types of the stored CustomResourceDefinitions (also while one is being deleted, so that its objects can be).</summary>
    public IReadOnlyList<ResourceType> CustomTypes() =>
        List(ResourceTypes.CustomResourceDefinitions, null).Items.SelectMany(crd => CustomResourceTypes.Of(crd.Node)).ToList();

    public ResourceType? FindType(string group, string version, string plural) =>
        ResourceTypes.Find(group, version, plural)
        ?? (group.Length == 0 ? null : CustomTypes().FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural));

    public ResourceType? FindTypeByKind(string apiVersion, string kind) =>
        ResourceTypes.FindByKind(apiVersion, kind) ?? CustomTypes().FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    // The objects of a type; a custom resource's bucket is made when first used (under the store's lock).
    private SortedDictionary<string, StoredObject> Bucket(ResourceType type)
    {
        if (!_objects.TryGetValue(type, out var bucket))
        {
            bucket = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            _objects[type] = bucket;
        }

        return bucket;
    }
}

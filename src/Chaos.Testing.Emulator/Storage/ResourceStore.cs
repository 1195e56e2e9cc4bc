using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;

namespace Chaos.Testing.Emulator.Storage;

/// <summary>
/// The emulator's etcd: every object by type and key, one global resourceVersion counter, and a bounded history
/// of changes from which watches replay. All writes take one lock; reads of stored versions need none.
/// </summary>
internal sealed partial class ResourceStore
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly object _gate = new();
    private readonly Dictionary<ResourceType, SortedDictionary<string, StoredObject>> _objects = [];
    private readonly TimeProvider _time;
    private readonly Random _random;
    private long _resourceVersion;

    public ResourceStore(TimeProvider time, int historySize, int seed)
    {
        _time = time;
        _random = new Random(seed);
        _history = new StoreEvent?[Math.Max(historySize, 16)];
        foreach (var type in ResourceTypes.All)
        {
            _objects[type] = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        }
    }

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public string Now() => Timestamps.Format(_time.GetUtcNow());

    public StoredObject? Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Bucket(type).GetValueOrDefault(Key(type, ns, name));
        }
    }

    public StoredObject GetRequired(ResourceType type, string? ns, string name) =>
        Get(type, ns, name) ?? throw ApiException.NotFound(type, name);

    /// <summary>A consistent snapshot of the objects of a type (optionally in one namespace) and the version it was taken at.</summary>
    public (IReadOnlyList<StoredObject> Items, long ResourceVersion) List(ResourceType type, string? ns, Func<StoredObject, bool>? filter = null)
    {
        lock (_gate)
        {
            IEnumerable<StoredObject> items = Bucket(type).Values;
            if (ns is not null && type.Namespaced)
            {
                items = items.Where(o => o.Namespace == ns);
            }

            if (filter is not null)
            {
                items = items.Where(filter);
            }

            return (items.ToList(), _resourceVersion);
        }
    }

    public StoredObject Create(ResourceType type, JsonObject obj)
    {
        lock (_gate)
        {
            var metadata = Metadata(obj);
            var ns = type.Namespaced ? metadata["namespace"]?.GetValue<string>() : null;
            var name = metadata["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = metadata["generateName"]?.GetValue<string>() ?? string.Empty;
                do
                {
                    name = prefix + RandomSuffix();
                }
                while (Bucket(type).ContainsKey(Key(type, ns, name)));
                metadata["name"] = name;
            }

            if (Bucket(type).ContainsKey(Key(type, ns, name)))
            {
                throw ApiException.AlreadyExists(type, name);
            }

            if (!type.Namespaced)
            {
                metadata.Remove("namespace");
            }

            metadata["uid"] = NewUid();
            metadata["creationTimestamp"] = Now();
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            if (obj.ContainsKey("spec"))
            {
                metadata["generation"] = 1;
            }

            obj["kind"] = type.Kind;
            obj["apiVersion"] = type.ApiVersion;
            CreateStrategy.Normalize(type, obj);
            CreateStrategy.PrepareForCreate(type, obj);
            return Commit(type, obj, null, StoreEvent.Added);
        }
    }

    /// <summary>
    /// Replaces an object. Fails with 409 when <paramref name="expectedResourceVersion"/> is set and stale.
    /// System fields (uid, creation time, deletion state) always come from the stored version.
    /// </summary>
    public StoredObject Update(ResourceType type, JsonObject obj, string? expectedResourceVersion)
    {
        lock (_gate)
        {
            var metadata = Metadata(obj);
            var ns = type.Namespaced ? metadata["namespace"]?.GetValue<string>() : null;
            var name = metadata["name"]?.GetValue<string>() ?? throw ApiException.BadRequest("metadata.name is required");
            var current = Bucket(type).GetValueOrDefault(Key(type, ns, name)) ?? throw ApiException.NotFound(type, name);
            if (!string.IsNullOrEmpty(expectedResourceVersion)
                && expectedResourceVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(type, name);
            }

            var old = current.Node["metadata"]!.AsObject();
            foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
            {
                if (old[field] is { } value)
                {
                    metadata[field] = value.DeepClone();
                }
                else
                {
                    metadata.Remove(field);
                }
            }

            if (old["generation"] is not null && !JsonNode.DeepEquals(obj["spec"], current.Node["spec"]))
            {
                metadata["generation"] = old["generation"]!.ToInt64() + 1;
            }

            obj["kind"] = type.Kind;
            obj["apiVersion"] = type.ApiVersion;
            CreateStrategy.Normalize(type, obj);
            if (JsonNode.DeepEquals(WithoutVersion(obj), WithoutVersion(current.Node)))
            {
                return current; // a no-op update does not bump the version, as on a real server
            }

            // An object that is being deleted goes once its last finalizer is removed (pods still running wait for the
            // kubelet, namespaces for the namespace controller to empty them).
            if (metadata["deletionTimestamp"] is not null && type != ResourceTypes.Namespaces
                && (type != ResourceTypes.Pods || metadata["deletionGracePeriodSeconds"]?.ToInt64() == 0)
                && metadata["finalizers"] is not JsonArray { Count: > 0 })
            {
                metadata["resourceVersion"] = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
                var last = Commit(type, obj, current, StoreEvent.Modified);
                return RemoveLocked(type, last);
            }

            return Commit(type, obj, current, StoreEvent.Modified);
        }
    }

    /// <summary>
    /// Read-modify-write with retries on conflicts, for controllers. <paramref name="mutate"/> returns false when no
    /// change is needed. Returns the new version, or null when the object is gone.
    /// </summary>
    public StoredObject? Mutate(ResourceType type, string? ns, string name, Func<JsonObject, bool> mutate)
    {
        lock (_gate)
        {
            var current = Bucket(type).GetValueOrDefault(Key(type, ns, name));
            if (current is null)
            {
                return null;
            }

            var obj = current.Clone();
            if (!mutate(obj))
            {
                return current;
            }

            return Update(type, obj, current.ResourceVersion.ToString(CultureInfo.InvariantCulture));
        }
    }

    private StoredObject Commit(ResourceType type, JsonObject obj, StoredObject? previous, string eventType)
    {
        // Every stored object decodes as its kind, whoever writes it: the API refuses what does not (400/422) before it
        // gets here, so this only stops a controller or seed bug from storing what every client would then fail to read.
        if (JsonTypeCheck.Check(type.Model, obj) is { } error)
        {
            throw new InvalidOperationException(
                $"The emulator refused to store {type.Kind} \"{obj["metadata"]?["name"]}\": it does not decode as a {type.Kind}: {error}");
        }

        Metadata(obj)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        var stored = new StoredObject(type, obj);
        Bucket(type)[stored.Key] = stored;
        Publish(new StoreEvent(eventType, stored, previous));
        return stored;
    }

    private string RandomSuffix()
    {
        Span<char> chars = stackalloc char[5];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = NameAlphabet[_random.Next(NameAlphabet.Length)];
        }

        return new string(chars);
    }

    private string NewUid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        return new Guid(bytes).ToString();
    }

    private static JsonObject WithoutVersion(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy["metadata"]!.AsObject().Remove("resourceVersion");
        return copy;
    }

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj.Put("metadata", metadata);
        }

        return metadata;
    }

    private static string Key(ResourceType type, string? ns, string name) => type.Namespaced && ns is not null ? $"{ns}/{name}" : name;
}

namespace Chaos.Testing.Emulator.Storage;

/// <summary>A change in the store, as watchers see it: <c>ADDED</c>, <c>MODIFIED</c> or <c>DELETED</c>.</summary>
internal sealed record StoreEvent(string Type, StoredObject Object, StoredObject? Previous)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";

    public long ResourceVersion => Object.ResourceVersion;
}

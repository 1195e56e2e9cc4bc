namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>What a path names.</summary>
internal enum EntryKind
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>Anything else that is not a link: a file, a socket, a device.</summary>
    File,

    /// <summary>A symbolic link.</summary>
    Link,
}

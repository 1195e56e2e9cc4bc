namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>A folder (or file) of this machine mounted into a container.</summary>
/// <param name="Source">What is mounted: a path without symbolic links (<see cref="RootedPath"/>).</param>
/// <param name="Scope">
/// The folder <paramref name="Source"/> must lie in (a node's root, a pod's volume): the mount checks, on the very
/// handle it mounts, that no link swapped in meanwhile took it elsewhere.
/// </param>
/// <param name="Target">Where the container sees it: an absolute path.</param>
/// <param name="ReadOnly">Whether the container cannot write it.</param>
internal sealed record VolumeMount(string Source, string Scope, string Target, bool ReadOnly);

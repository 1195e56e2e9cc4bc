namespace Chaos.Testing.Emulator.Runtime.Mounts;

/// <summary>
/// A path resolved inside a root folder as if that folder were <c>/</c>: a symbolic link is followed within the root
/// (an absolute target starts again at the root, <c>..</c> stops at it), so no link, whoever made it, leads out of the
/// root. The part that exists is <see cref="Existing"/>; the names after it that do not are <see cref="Missing"/>.
/// </summary>
/// <param name="Root">The root folder.</param>
/// <param name="Existing">The deepest entry that exists, a path below (or equal to) <paramref name="Root"/> without links.</param>
/// <param name="Missing">The names below <paramref name="Existing"/> that do not exist (none when the whole path does).</param>
/// <param name="Kind">What the whole path is when it exists.</param>
internal sealed record RootedPath(string Root, string Existing, IReadOnlyList<string> Missing, EntryKind Kind)
{
    // As the kernel's limit on links followed in one lookup.
    private const int MaxLinks = 40;

    /// <summary>Gets whether the whole path exists.</summary>
    public bool Exists => Missing.Count == 0;

    /// <summary>Gets the whole path below the root, with the missing names after the existing part.</summary>
    public string Full => Missing.Count == 0 ? Existing : Path.Combine([Existing, .. Missing]);

    /// <summary>Resolves <paramref name="path"/> inside <paramref name="root"/>.</summary>
    /// <param name="root">An absolute folder, other than <c>/</c>.</param>
    /// <param name="path">A path as seen from the root (absolute or not, both start at the root).</param>
    /// <returns>The resolved path.</returns>
    /// <exception cref="IOException">A name below a file, too many links, or <c>..</c> below a missing folder.</exception>
    public static RootedPath Resolve(string root, string path)
    {
        root = Path.TrimEndingDirectorySeparator(root);
        if (!Path.IsPathRooted(root) || root.Length <= 1)
        {
            throw new ArgumentException($"the root must be an absolute folder other than /, was \"{root}\"", nameof(root));
        }

        var resolved = new List<string>();
        var pending = new Stack<string>(Names(path).Reverse());
        var links = 0;
        while (pending.TryPop(out var name))
        {
            if (name == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = Path.Combine([root, .. resolved, name]);
            var kind = KindOf(candidate, out var target);
            if (kind == EntryKind.None)
            {
                var missing = new List<string> { name };
                missing.AddRange(pending);
                if (missing.Contains(".."))
                {
                    throw new IOException($"\"{path}\" has \"..\" below {candidate}, which does not exist");
                }

                return new RootedPath(root, Path.Combine([root, .. resolved]), missing, EntryKind.None);
            }

            if (kind == EntryKind.Link)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"\"{path}\" goes through more than {MaxLinks} symbolic links");
                }

                if (target!.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var part in Names(target).Reverse())
                {
                    pending.Push(part);
                }

                continue;
            }

            if (kind != EntryKind.Directory && pending.Count > 0)
            {
                throw new IOException($"\"{path}\" has names below {candidate}, which is not a folder");
            }

            resolved.Add(name);
        }

        var full = Path.Combine([root, .. resolved]);
        return new RootedPath(root, full, [], resolved.Count == 0 ? EntryKind.Directory : KindOf(full, out _));
    }

    /// <summary>The names of a path, without empty names and <c>.</c>.</summary>
    public static IEnumerable<string> Names(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(n => n != ".");

    /// <summary>What is at <paramref name="path"/>, without following a final link.</summary>
    /// <param name="path">The path.</param>
    /// <param name="linkTarget">The target when it is a symbolic link.</param>
    /// <returns>The kind.</returns>
    public static EntryKind KindOf(string path, out string? linkTarget)
    {
        linkTarget = new FileInfo(path).LinkTarget;
        return linkTarget is not null ? EntryKind.Link
            : Directory.Exists(path) ? EntryKind.Directory
            : File.Exists(path) ? EntryKind.File
            : EntryKind.None;
    }
}

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// What an image runs on this machine. There is no image filesystem: an image stands for a program of this machine,
/// either one the user maps (<c>KubernetesEmulatorOptions.Processes.Images</c>) or a built-in one (pause, shell and
/// distribution images that run their command with this machine's tools, and the <c>chaos-testing/echo</c> server).
/// </summary>
internal static class ImageCatalog
{
    /// <summary>
    /// The argv of a container, with Kubernetes semantics: <paramref name="command"/> replaces the image's entrypoint
    /// (and then its default args are dropped), <paramref name="args"/> replace the default args.
    /// </summary>
    /// <param name="image">The image reference, e.g. <c>busybox:1.36</c>.</param>
    /// <param name="command">The container's <c>command</c>, or <see langword="null"/> (an empty one counts as none).</param>
    /// <param name="args">The container's <c>args</c>, or <see langword="null"/> (an empty one counts as none).</param>
    /// <param name="userImages">The user's mappings: image (with or without tag) to entrypoint program and default args. They win over built-ins.</param>
    /// <returns>The argv, or why there is none.</returns>
    public static ImageResolution Resolve(
        string image,
        IReadOnlyList<string>? command,
        IReadOnlyList<string>? args,
        IReadOnlyDictionary<string, (string Program, IReadOnlyList<string> Args)> userImages)
    {
        command = command is { Count: > 0 } ? command : null;
        args = args is { Count: > 0 } ? args : null;
        var withoutTag = WithoutTag(image);
        if (userImages.TryGetValue(image, out var mapped) || userImages.TryGetValue(withoutTag, out mapped))
        {
            return Run([mapped.Program], mapped.Args, command, args);
        }

        var repository = Repository(withoutTag);
        var name = repository[(repository.LastIndexOf('/') + 1)..];
        if (name == "pause" || name.EndsWith("-pause", StringComparison.Ordinal))
        {
            return Run(BuiltinImages.Pause, [], command, args);
        }

        if (repository is "chaos-testing/echo" or "hashicorp/http-echo"
            || repository.EndsWith("/chaos-testing/echo", StringComparison.Ordinal) || repository.EndsWith("/hashicorp/http-echo", StringComparison.Ordinal))
        {
            return Run(BuiltinImages.Echo, [], command, args);
        }

        if (name == "curl" && command is null && args is not null && !args[0].StartsWith('-'))
        {
            // curlimages/curl's entrypoint runs its args as a command unless they start with an option.
            return new ImageResolution(args, null);
        }

        return BuiltinImages.Shells.TryGetValue(name, out var entrypoint)
            ? Run(entrypoint.Entrypoint, entrypoint.Args, command, args)
            : new ImageResolution(null, Unmapped(image, name));
    }

    /// <summary>
    /// The folders of the files a user-mapped image runs (its program and its default args that are absolute paths of
    /// this machine, e.g. a service's <c>.dll</c>): they are the image's contents, so a container must see them even
    /// where it has a folder of its own at that path (every container's <c>/tmp</c> is its own).
    /// </summary>
    /// <param name="image">The image reference.</param>
    /// <param name="userImages">The user's mappings.</param>
    /// <returns>The folders, without duplicates; empty for a built-in image.</returns>
    public static IReadOnlyList<string> MappedFolders(string image, IReadOnlyDictionary<string, (string Program, IReadOnlyList<string> Args)> userImages)
    {
        if (!userImages.TryGetValue(image, out var mapped) && !userImages.TryGetValue(WithoutTag(image), out mapped))
        {
            return [];
        }

        return new[] { mapped.Program }.Concat(mapped.Args)
            .Where(p => Path.IsPathFullyQualified(p) && File.Exists(p))
            .Select(p => Path.GetDirectoryName(p)!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The image without its tag and digest: <c>registry:5000/shop/cart:1.4</c> → <c>registry:5000/shop/cart</c>.</summary>
    /// <param name="image">The image reference.</param>
    /// <returns>The reference without tag and digest.</returns>
    internal static string WithoutTag(string image)
    {
        var digest = image.IndexOf('@', StringComparison.Ordinal);
        var reference = digest < 0 ? image : image[..digest];
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? reference[..colon] : reference;
    }

    /// <summary>The repository without registry, as Docker Hub names it: <c>registry.example/library/busybox</c> → <c>busybox</c>.</summary>
    private static string Repository(string withoutTag)
    {
        var parts = withoutTag.Split('/').ToList();
        if (parts.Count > 1 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost"))
        {
            parts.RemoveAt(0);
        }

        if (parts.Count > 1 && parts[0] == "library")
        {
            parts.RemoveAt(0);
        }

        return string.Join('/', parts);
    }

    private static ImageResolution Run(IReadOnlyList<string> entrypoint, IReadOnlyList<string> defaultArgs, IReadOnlyList<string>? command, IReadOnlyList<string>? args) =>
        new([.. command ?? entrypoint, .. args ?? (command is null ? defaultArgs : [])], null);

    private static string Unmapped(string image, string name)
    {
        var program = name.Length == 0 ? "App" : string.Concat(char.ToUpperInvariant(name[0]).ToString(), name[1..]);
        return $"image \"{image}\" has no program on this machine (the process runtime runs a program of this machine for each image); "
            + $"map it, e.g. KubernetesEmulatorOptions.Processes.Images[\"{image}\"] = new ImageProgram(\"dotnet\", \"path/{program}.dll\")";
    }
}

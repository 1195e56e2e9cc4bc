using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// The tool contract of the default payload images, kept on this machine: a payload or cleanup container (its
/// environment declares <see cref="PayloadProtocol.HoldSecondsVariable"/> or <see cref="PayloadProtocol.StopsVariable"/>)
/// of an image <see cref="PayloadImages"/> knows gets, unless its spec sets a <c>PATH</c> of its own, a <c>PATH</c> of one folder
/// holding links to this machine's copies of exactly the tools that image provides. A script that calls a tool the
/// image lacks then fails here as it would on a cluster (<c>not found</c>), instead of finding the machine's.
/// </summary>
internal static class PayloadToolPath
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Folders = new(StringComparer.Ordinal);

    /// <summary>Sets the restricted <c>PATH</c> in <paramref name="environment"/> when the container is such a payload.</summary>
    /// <param name="image">The container's image.</param>
    /// <param name="stateDirectory">The run's state folder, which every container sees (its <c>/tmp</c> is its own): the links are made there.</param>
    /// <param name="environment">The container's environment (its <c>PATH</c> the image's default, <see cref="HostTools.DefaultPath"/>, unless the spec set one), changed in place.</param>
    public static void Apply(string? image, string stateDirectory, Dictionary<string, string> environment)
    {
        if (image is null || (environment.TryGetValue("PATH", out var path) && path != HostTools.DefaultPath)
            || !(environment.ContainsKey(PayloadProtocol.HoldSecondsVariable) || environment.ContainsKey(PayloadProtocol.StopsVariable))
            || PayloadImages.Find(image) is not { } known)
        {
            return;
        }

        var root = Path.Combine(stateDirectory, "image-tools");
        environment["PATH"] = Folders.GetOrAdd($"{root}\n{known.Reference}", _ => new Lazy<string>(() => Build(known, root))).Value;
    }

    /// <summary>
    /// The folder of links of <paramref name="image"/> in <paramref name="root"/>, named by its contract: built beside
    /// it and renamed into place, so no container sees it half made. A tool this machine lacks gets no link (the
    /// payload tests that need it are skipped for that reason).
    /// </summary>
    private static string Build(PayloadImage image, string root)
    {
        var contract = string.Join(' ', image.Tools.Order(StringComparer.Ordinal).Select(t => $"{t}={HostTools.Find(t)}"));
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(image.Reference + "\n" + contract)))[..16].ToLowerInvariant();
        var folder = Path.Combine(root, hash);
        if (Directory.Exists(folder))
        {
            return folder;
        }

        var staging = Path.Combine(root, $"{hash}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        foreach (var tool in image.Tools)
        {
            if (HostTools.Find(tool) is { } path)
            {
                File.CreateSymbolicLink(Path.Combine(staging, tool), path);
            }
        }

        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Made meanwhile: the same links (the name is the hash of the contract).
            Directory.Delete(staging, recursive: true);
        }

        return folder;
    }
}

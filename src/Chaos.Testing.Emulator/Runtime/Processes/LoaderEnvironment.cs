namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>
/// Variables that change how a program loads or a shell starts (<c>LD_PRELOAD</c>, <c>GCONV_PATH</c>, <c>BASH_ENV</c>,
/// ...). The launch chain runs as root with every capability until <c>setpriv</c> drops them, so such a variable from a
/// pod's spec must not reach it: it would run the pod author's code with the host's full privileges. The container
/// still gets them: <c>env</c> sets them after <c>setpriv</c>, as the last step before the container's program.
/// </summary>
internal static class LoaderEnvironment
{
    private static readonly string[] Prefixes = ["LD_", "MALLOC_", "BASH_FUNC_"];

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH", "NLSPATH", "HOSTALIASES", "RES_OPTIONS", "LOCALDOMAIN",
        "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "CDPATH",
    };

    /// <summary>Whether the launch chain must not see this variable.</summary>
    public static bool IsLoaderVariable(string name) =>
        Names.Contains(name) || Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The <c>env NAME=VALUE ...</c> prefix that gives the container its loader variables after <c>setpriv</c>, or nothing when it has none.</summary>
    public static IReadOnlyList<string> Prefix(IReadOnlyDictionary<string, string> environment, string envTool)
    {
        var loader = environment.Where(v => IsLoaderVariable(v.Key)).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}").ToList();
        return loader.Count == 0 ? [] : [envTool, .. loader];
    }
}

using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>
/// The interpreter <c>python3</c> on PATH resolves to, found once: a version manager's shim in front of it (pyenv)
/// can cost seconds per start on a loaded machine, and these tests start many short Python programs.
/// </summary>
public static class TestPython
{
    private static readonly Lazy<string> Resolved = new(() =>
        PayloadEnvironment.Run("python3", "-c", "import sys; print(sys.executable)").Trim());

    /// <summary>Gets the interpreter's full path.</summary>
    public static string Executable => Resolved.Value;

    /// <summary>Gets a PATH that finds that interpreter first as <c>python3</c> (for the payloads, which call <c>python3</c> like their image would).</summary>
    public static string PayloadPath => $"{Path.GetDirectoryName(Executable)}:{Environment.GetEnvironmentVariable("PATH")}";
}

namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>Where the tools of the launch chain are: iproute2's <c>ip</c>, util-linux's <c>unshare</c>, <c>nsenter</c>, <c>setpriv</c>, and <c>/bin/sh</c>.</summary>
/// <param name="Ip">The <c>ip</c> program.</param>
/// <param name="Unshare">The <c>unshare</c> program.</param>
/// <param name="Nsenter">The <c>nsenter</c> program.</param>
/// <param name="Setpriv">The <c>setpriv</c> program.</param>
/// <param name="Shell">The POSIX shell that joins the cgroup.</param>
/// <param name="Env">coreutils' <c>env</c>, which hands a container its loader variables after <c>setpriv</c> (<see cref="LoaderEnvironment"/>).</param>
internal sealed record LaunchTools(string Ip, string Unshare, string Nsenter, string Setpriv, string Shell, string Env = "/usr/bin/env")
{
    /// <summary>The tools of this machine; one not installed keeps its bare name, and <see cref="Missing"/> names it.</summary>
    /// <returns>The tools.</returns>
    public static LaunchTools Find() => new(
        HostTools.Find("ip") ?? "ip",
        HostTools.Find("unshare") ?? "unshare",
        HostTools.Find("nsenter") ?? "nsenter",
        HostTools.Find("setpriv") ?? "setpriv",
        File.Exists("/bin/sh") ? "/bin/sh" : HostTools.Find("sh") ?? "sh",
        HostTools.Find("env") ?? "env");

    /// <summary>What a launch needs that is not installed, or <see langword="null"/>.</summary>
    /// <param name="launch">The container.</param>
    /// <returns>A sentence naming the missing tools and their packages.</returns>
    public string? Missing(ContainerLaunch launch)
    {
        var needed = new List<(string Path, string Package)> { (Setpriv, "util-linux"), (Shell, "a POSIX shell"), (Nsenter, "util-linux") };
        if (launch.TargetPid is null)
        {
            needed.Add((Unshare, "util-linux"));
            if (launch.NetnsName is not null)
            {
                needed.Add((Ip, "iproute2"));
            }
        }

        var missing = needed.Where(t => !Path.IsPathRooted(t.Path)).Select(t => $"{t.Path} ({t.Package})").ToList();
        return missing.Count == 0 ? null : $"the process runtime needs {string.Join(", ", missing)} on this machine";
    }
}

using System.Diagnostics;

namespace Chaos.Testing.Tests.Support;

/// <summary>
/// A payload test: it runs generated scripts for real (network namespaces, iptables, tc, stress-ng, tmpfs), so it
/// needs root and the named tools. Otherwise it is reported skipped with the reason (CI installs the tools and runs as root).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PayloadFactAttribute : FactAttribute
{
    public PayloadFactAttribute(params string[] tools)
    {
        Skip = PayloadEnvironment.WhyUnavailable(tools);
    }

    /// <summary>Sets a value indicating whether the test proves the behaviour on a kernel without sch_netem (skipped on one with it).</summary>
    public bool WithoutNetem
    {
        get => false;
        set => Skip ??= value ? PayloadEnvironment.WhyNetemPresent() : null;
    }
}

/// <summary>The <see cref="PayloadFactAttribute"/> of a theory.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PayloadTheoryAttribute : TheoryAttribute
{
    public PayloadTheoryAttribute(params string[] tools)
    {
        Skip = PayloadEnvironment.WhyUnavailable(tools);
    }
}

public static class PayloadEnvironment
{
    /// <summary>Why payload tests needing <paramref name="tools"/> cannot run here, or null.</summary>
    public static string? WhyUnavailable(params string[] tools)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "payload tests need Linux (network namespaces, tc, iptables)";
        }

        if (Environment.UserName != "root" && Run("id", "-u").Trim() != "0")
        {
            return "payload tests need root (network namespaces, iptables, tc); CI runs them as root";
        }

        var missing = tools.Where(t => Which(t) is null).ToList();
        return missing.Count == 0 ? null : $"payload tests need {string.Join(", ", missing)} on PATH (CI installs them with apt-get)";
    }

    /// <summary>Why a test of the no-netem path cannot run here (the kernel has sch_netem, loaded, built in or loadable), or null.</summary>
    public static string? WhyNetemPresent()
    {
        var release = Run("uname", "-r").Trim();
        var modules = Path.Combine("/lib/modules", release);
        var loadable = Directory.Exists(modules)
            && Directory.EnumerateFiles(modules, "sch_netem.ko*", SearchOption.AllDirectories).Any();
        return Directory.Exists("/sys/module/sch_netem") || loadable
            ? "this kernel has sch_netem: the no-netem path cannot be observed here (the recording-tc tests cover netem)"
            : null;
    }

    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a command, returns stdout; throws with stdout+stderr when it fails.</summary>
    public static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
        }

        return stdout.Result;
    }
}

using System.Diagnostics;
using System.Reflection;

namespace Chaos.Testing.Xunit.Tests;

/// <summary>
/// The packages work for a team that only has them as PackageReferences: <c>eng/consumer-test.sh</c> packs every package
/// of this build (with a version of its own, so no NuGet cache can stand in) and builds and runs five test projects
/// outside the repository: xUnit v2 with FluentAssertions, NUnit 4.3.2 (what <c>dotnet new nunit</c> pins) with
/// AwesomeAssertions, xUnit v3, and the two projects the template package creates. Each runs one experiment on the
/// emulator and must pass, not skip.
/// </summary>
public sealed class ConsumerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ThePackedPackages_BuildAndPass_InXunitV2_XunitV3_NUnit_AndTheTemplatesProjects()
    {
        var root = RepositoryRoot();
        var configuration = typeof(ConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "eng", "consumer-test.sh"), "--from-build", configuration])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        // The outer `dotnet test` sets MSBuild variables for its own nodes; the script's builds must start clean.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("eng/consumer-test.sh did not end within 8 minutes");
        }

        var log = await stdout + await stderr;
        output.WriteLine(log);
        process.ExitCode.Should().Be(0, "every consumer builds from the packages alone and its one test passes:\n{0}", Tail(log));
        log.Should().Contain("consumer-test: passed\n");
    }

    private static string Tail(string log) => log.Length > 6000 ? log[^6000..] : log;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chaos.Testing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Chaos.Testing.sln not found above {AppContext.BaseDirectory}");
    }
}

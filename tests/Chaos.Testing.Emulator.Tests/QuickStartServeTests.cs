using System.Diagnostics;
using System.Reflection;
using k8s;

namespace Chaos.Testing.Emulator.Tests;

/// <summary>samples/QuickStart <c>serve</c>, run as a process: SIGTERM after it has served requests stops it cleanly.</summary>
public sealed class QuickStartServeTests
{
    [Fact]
    public async Task Serve_SigtermAfterARequest_ExitsAndRemovesTheKubeconfig()
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a POSIX signal; this test runs on Linux and macOS");
        using var serve = StartServe();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var kubeconfig = await ReadUntilAsync(serve, "kubeconfig: ", timeout.Token);
            await ReadUntilAsync(serve, "Serving until", timeout.Token);
            File.Exists(kubeconfig).Should().BeTrue();

            using (var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)))
            {
                var pods = await client.CoreV1.ListNamespacedPodAsync("shop", cancellationToken: timeout.Token);
                pods.Items.Should().NotBeEmpty();
            }

            (await SendSigtermAsync(serve.Id)).Should().Be(0);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var exited = async () => await serve.WaitForExitAsync(exit.Token);

            await exited.Should().NotThrowAsync("serve must exit within 30s of SIGTERM");
            serve.ExitCode.Should().Be(0);
            File.Exists(kubeconfig).Should().BeFalse("serve deletes the kubeconfig it wrote when it stops");
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process StartServe()
    {
        var path = typeof(QuickStartServeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "QuickStart").Value!;
        File.Exists(path).Should().BeTrue($"the QuickStart sample is built before the tests ({path})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("serve");
        return Process.Start(start)!;
    }

    private static async Task<string> ReadUntilAsync(Process process, string prefix, CancellationToken cancellationToken)
    {
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }
        }

        throw new InvalidOperationException($"QuickStart serve ended its output before a line starting \"{prefix}\" (exit code {(process.HasExited ? process.ExitCode : "none yet")})");
    }

    private static async Task<int> SendSigtermAsync(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        return kill.ExitCode;
    }
}

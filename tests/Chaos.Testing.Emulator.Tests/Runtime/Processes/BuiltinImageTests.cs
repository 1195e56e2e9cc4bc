using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>The built-in images run as their real counterparts behave: pause, a shell without terminal, the echo server.</summary>
public sealed class BuiltinImageTests : ContainerTest
{
    private static readonly Dictionary<string, (string Program, IReadOnlyList<string> Args)> NoUserImages = [];

    [RootFact]
    public async Task Pause_RunsUntilSigterm_ThenExits0_LeavingNoSleep()
    {
        var container = Start(Launch([.. ImageCatalog.Resolve("registry.example/pause:3.10", null, null, NoUserImages).Argv!]));
        await Support.Eventually.UntilAsync(() => container.Cgroup!.Processes().Count == 3, "pause runs its sleep (beside unshare and itself)", Slow);
        var sleep = container.Cgroup!.Processes().Single(p => p != container.HostPid && p != container.LauncherPid);

        var watch = Stopwatch.StartNew();
        await container.StopAsync(TimeSpan.FromSeconds(120));

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "pause handles SIGTERM; the grace is not waited out");
        (await container.Exited).Should().Match<ContainerExit>(e => e.ExitCode == 0 && e.Reason == "Completed");
        ProcessTree.Exists(sleep).Should().BeFalse("no sleep is left behind");
    }

    [RootFact]
    public async Task Busybox_WithoutCommand_ExitsAtOnce_AsWithoutATerminal()
    {
        var (exit, _) = await RunToEnd(Launch([.. ImageCatalog.Resolve("busybox:1.36", null, null, NoUserImages).Argv!]));

        exit.Should().Match<ContainerExit>(e => e.ExitCode == 0 && e.Reason == "Completed");
    }

    [RootFact("python3")]
    public async Task Echo_AnswersItsText_AndHealthz_LogsRequests_AndExits0OnSigterm()
    {
        var port = FreePort();
        var launch = Launch([.. ImageCatalog.Resolve("chaos-testing/echo:1", null, null, NoUserImages).Argv!]) with
        {
            Environment = new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ECHO_TEXT"] = "cart v2" },
        };
        var container = Start(launch);
        await WaitForLine(launch, "listening");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Slow };

        (await http.GetStringAsync("/")).Should().Be("cart v2\n");
        (await http.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        await container.StopAsync(TimeSpan.FromSeconds(120));

        (await container.Exited).ExitCode.Should().Be(0);
        ContainerLog.Read(launch.LogPath, new LogQuery()).Select(l => l.Text).Should().Contain(["GET / HTTP/1.1 200", "GET /healthz HTTP/1.1 200"]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using k8s.Models;

namespace Chaos.Testing.K3s.Tests;

/// <summary>
/// The harness's probes, run here for real where they can be: Docker found where Testcontainers looks (a rootless
/// socket), the netem probe's script in a network namespace of this kernel, the pre-pull command against a stand-in
/// <c>k3s</c>, and the pre-pull timeout naming the image still pulling.
/// </summary>
public sealed class HarnessProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("k3s-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [NoDockerFact]
    public async Task A_rootless_Docker_socket_is_found_where_Testcontainers_looks()
    {
        var socket = Path.Combine(_dir, "docker.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socket));
        listener.Listen();
        var requests = new List<string>();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(() => FakeDockerAsync(listener, requests, stop.Token));
        var before = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var context = new FreshContext();
        try
        {
            // A fresh copy of Testcontainers (its discovery runs once per copy) sees a rootless Docker's socket.
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", _dir);
            var probe = context.LoadFromAssemblyName(new AssemblyName("Chaos.Testing.K3s")).GetType("Chaos.Testing.K3s.DockerProbe", throwOnError: true)!;
            var why = (string?)probe.GetMethod("WhyUnreachable", Type.EmptyTypes)!.Invoke(null, null);

            why.Should().BeNull("Testcontainers pinged the socket in $XDG_RUNTIME_DIR, and K3s would start through it");
            lock (requests)
            {
                requests.Should().Contain(r => r.Contains("/_ping", StringComparison.Ordinal), "the fake Docker engine was asked");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", before);
            await stop.CancelAsync();
            listener.Close();
            await server;
            context.Unload();
        }
    }

    [NoDockerFact]
    public void Without_Docker_the_reason_says_Testcontainers_found_no_endpoint_either()
    {
        DockerProbe.WhyUnreachable().Should().StartWith("Docker is not reachable: ")
            .And.Contain("Testcontainers' own discovery (~/.testcontainers.properties, DOCKER_HOST, the Docker context, Docker Desktop and rootless sockets) found no endpoint that answers");
    }

    [SkippableFact]
    public void The_netem_probe_adds_and_removes_a_netem_qdisc_or_reports_tcs_own_words()
    {
        Skip.If(Environment.UserName != "root" || !File.Exists("/usr/sbin/tc") && !File.Exists("/sbin/tc"), "needs root and tc (CI runs as root with iproute2)");
        var ns = $"k3snetem{Environment.ProcessId % 100000}";
        Run("ip", "netns", "add", ns);
        try
        {
            Run("ip", "link", "add", $"kp{Environment.ProcessId % 100000}", "type", "veth", "peer", "name", "eth0", "netns", ns);
            Run("ip", "-n", ns, "link", "set", "eth0", "up");

            var (exit, output) = Exec("ip", "netns", "exec", ns, "sh", "-c", NetemProbe.Script);
            var verdict = NetemProbe.Verdict(EndedPod(exit), output);

            var after = Run("ip", "netns", "exec", ns, "tc", "qdisc", "show", "dev", "eth0");
            after.Should().NotContain("netem", "the probe leaves no qdisc behind");
            if (NetemInKernel())
            {
                exit.Should().Be(0, output);
                verdict.Should().BeEmpty();
            }
            else
            {
                exit.Should().Be(1, "this kernel has no sch_netem, so tc must fail: " + output);
                verdict.Should().StartWith("a netem qdisc cannot be added in a pod here: the probe pod (registry.example/netshoot:v1, NET_ADMIN) exited 1 saying: ")
                    .And.Contain("Specified qdisc kind is unknown").And.Contain("sudo modprobe sch_netem");
            }
        }
        finally
        {
            Exec("ip", "netns", "del", ns);
        }
    }

    [Fact]
    public void The_probe_pod_has_NET_ADMIN_only_and_a_pod_that_never_ends_names_its_image()
    {
        var pod = NetemProbe.Pod("chaos-netem-probe-1", "registry.example/netshoot:v1");
        pod.Spec.RestartPolicy.Should().Be("Never");
        pod.Spec.Containers[0].SecurityContext.Capabilities.Add.Should().Equal("NET_ADMIN");
        pod.Spec.Containers[0].SecurityContext.Capabilities.Drop.Should().Equal("ALL");
        pod.Spec.Containers[0].Command.Should().Equal("sh", "-c", NetemProbe.Script);

        pod.Status = new V1PodStatus { Phase = "Pending", ContainerStatuses = [new V1ContainerStatus { Name = "probe", Image = "registry.example/netshoot:v1", ImageID = string.Empty, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }] };
        NetemProbe.Verdict(pod, null).Should().BeNull("it has not ended");
        NetemProbe.NotEnded(pod, TimeSpan.FromMinutes(10)).Should().Be(
            "the netem probe pod did not finish within 600s (phase Pending, waiting: ContainerCreating); its image registry.example/netshoot:v1 may still be pulling or not be pullable: pre-pull it (K3sChaosClusterOptions.PrePullImages) or preload it (ImageTarballs)");
    }

    [SkippableFact]
    public void The_pre_pull_command_pulls_only_a_missing_image_and_never_interprets_its_name()
    {
        Skip.If(OperatingSystem.IsWindows(), "runs sh");
        var log = Path.Combine(_dir, "k3s.log");
        var k3s = Path.Combine(_dir, "k3s");
        File.WriteAllText(k3s, $"#!/bin/sh\necho \"$*\" >> '{log}'\n[ \"$2\" = inspecti ] && [ \"$4\" = registry.example/present:1 ] && exit 0\n[ \"$2\" = inspecti ] && exit 1\nexit 0\n");
        Run("chmod", "+x", k3s);
        var owned = Path.Combine(_dir, "owned");

        foreach (var image in new[] { "registry.example/present:1", $"registry.example/missing:1;touch${{IFS}}{owned}" })
        {
            var command = K3sStartup.PullCommand(image);
            Exec("env", [$"PATH={_dir}:{Environment.GetEnvironmentVariable("PATH")}", .. command]).Exit.Should().Be(0);
        }

        File.ReadAllLines(log).Should().Equal(
            "crictl inspecti -q registry.example/present:1",
            $"crictl inspecti -q registry.example/missing:1;touch${{IFS}}{owned}",
            $"crictl pull registry.example/missing:1;touch${{IFS}}{owned}");
        File.Exists(owned).Should().BeFalse("the image name is one argument, never shell text");
    }

    [Fact]
    public async Task A_pre_pull_that_runs_out_of_time_names_the_image_still_pulling()
    {
        Task<(long, string)> FakeExec(IList<string> command, CancellationToken ct) => command[^1] == "registry.example/huge:1"
            ? Task.Delay(Timeout.Infinite, ct).ContinueWith<(long, string)>(_ => throw new OperationCanceledException(ct), TaskScheduler.Default)
            : Task.FromResult<(long, string)>((0, string.Empty));

        var run = () => K3sStartup.PrePullAsync(["registry.example/small:1", "registry.example/huge:1", "registry.example/never:1"], FakeExec, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        (await run.Should().ThrowAsync<TimeoutException>()).WithMessage(
            "K3s was Ready, but the image registry.example/huge:1 was still pulling when K3sChaosClusterOptions.PrePullTimeout (0s) ran out (there already: registry.example/small:1); raise PrePullTimeout on a slow link, or preload it with ImageTarballs");
    }

    [Fact]
    public async Task A_pre_pull_that_fails_says_so_with_containerds_words()
    {
        var run = () => K3sStartup.PrePullAsync(["registry.example/private:1"], (_, _) => Task.FromResult<(long, string)>((1, "pull access denied")), TimeSpan.FromMinutes(1), CancellationToken.None);

        (await run.Should().ThrowAsync<InvalidOperationException>()).WithMessage("K3s could not pull the image registry.example/private:1 (exit 1: pull access denied); *RegistriesYaml*");
    }

    private static V1Pod EndedPod(int exit) => new()
    {
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "probe", Image = "registry.example/netshoot:v1" }] },
        Status = new V1PodStatus
        {
            Phase = exit == 0 ? "Succeeded" : "Failed",
            ContainerStatuses = [new V1ContainerStatus { Name = "probe", Image = "registry.example/netshoot:v1", ImageID = string.Empty, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exit } } }],
        },
    };

    /// <summary>Whether this kernel has sch_netem (loaded, built in, or as a module file), seen from the host, not through tc.</summary>
    private static bool NetemInKernel()
    {
        var modules = Path.Combine("/lib/modules", Run("uname", "-r").Trim());
        return Directory.Exists("/sys/module/sch_netem")
            || (File.Exists(Path.Combine(modules, "modules.builtin")) && File.ReadAllText(Path.Combine(modules, "modules.builtin")).Contains("sch_netem", StringComparison.Ordinal))
            || (Directory.Exists(modules) && Directory.EnumerateFiles(modules, "sch_netem.ko*", SearchOption.AllDirectories).Any());
    }

    private static async Task FakeDockerAsync(Socket listener, List<string> requests, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (connection)
            {
                var buffer = new byte[8192];
                var read = await connection.ReceiveAsync(buffer, SocketFlags.None, stop);
                lock (requests)
                {
                    requests.Add(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await connection.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nApi-Version: 1.43\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"), SocketFlags.None, stop);
            }
        }
    }

    private static string Run(string program, params string[] args)
    {
        var (exit, output) = Exec(program, args);
        return exit == 0 ? output : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {exit}: {output}");
    }

    private static (int Exit, string Output) Exec(string program, params string[] args)
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
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Loads this test's own copies of the harness and Testcontainers, so their one-time Docker discovery runs again.</summary>
    private sealed class FreshContext() : AssemblyLoadContext("fresh-testcontainers", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(AppContext.BaseDirectory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}

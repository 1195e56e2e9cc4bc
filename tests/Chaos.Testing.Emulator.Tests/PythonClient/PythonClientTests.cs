using System.Diagnostics;

namespace Chaos.Testing.Emulator.Tests.PythonClient;

/// <summary>
/// The official Python client (Debian's python3-kubernetes) against the emulator: it sends <c>watch=True</c>, JSON
/// patches that replace absent members, and pages with continue tokens.
/// </summary>
public sealed class PythonClientTests : IAsyncLifetime
{
    private const string Script = """
        import sys
        from kubernetes import client, config, watch
        config.load_kube_config(config_file=sys.argv[1])
        core = client.CoreV1Api()
        core.create_namespace({"metadata": {"name": "py"}})
        for name in ["a", "b", "c"]:
            core.create_namespaced_config_map("py", {"metadata": {"name": name}, "data": {"k": name}})
        seen = [e["type"] + ":" + e["object"].metadata.name
                for e in watch.Watch().stream(core.list_namespaced_config_map, "py", timeout_seconds=1)]
        print("watched", ",".join(sorted(seen)))
        core.patch_namespaced_config_map("a", "py", [{"op": "replace", "path": "/metadata/annotations", "value": {"x": "y"}}])
        print("annotations", core.read_namespaced_config_map("a", "py").metadata.annotations)
        names, token = [], None
        while True:
            page = core.list_namespaced_config_map("py", limit=1, _continue=token)
            names += [i.metadata.name for i in page.items]
            token = page.metadata._continue
            if not token:
                break
        print("paged", ",".join(names))
        core.delete_namespaced_config_map("c", "py")
        print("left", ",".join(i.metadata.name for i in core.list_namespaced_config_map("py").items))
        """;

    private KubernetesEmulator _cluster = null!;

    public async Task InitializeAsync() => _cluster = await KubernetesEmulator.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [SkippablePythonClientFact]
    public async Task EverydayCalls_WatchPatchPageDelete_Work()
    {
        var script = Path.Combine(Path.GetTempPath(), $"python-client-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3", $"{script} {_cluster.KubeconfigPath}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);
            var output = await stdout + await stderr;

            process.ExitCode.Should().Be(0, output);
            output.Should().Contain("watched ADDED:a,ADDED:b,ADDED:c", "watch=True is a watch, whose every event the client yields");
            output.Should().Contain("annotations {'x': 'y'}");
            output.Should().Contain("paged a,b,c");
            output.Should().Contain("left a,b");
        }
        finally
        {
            File.Delete(script);
        }
    }
}

/// <summary>A fact that is skipped, with the reason, when Debian's python3-kubernetes is not installed.</summary>
public sealed class SkippablePythonClientFactAttribute : FactAttribute
{
    public SkippablePythonClientFactAttribute()
    {
        if (!File.Exists("/usr/bin/python3") || !File.Exists("/usr/lib/python3/dist-packages/kubernetes/__init__.py"))
        {
            Skip = "the Python client is not installed (apt-get install python3-kubernetes)";
        }
    }
}

using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>
/// A payload that may start a proxy, run in the pod namespace. Disposing it kills a proxy left running (a test that
/// failed before the cleanup) first: the proxy holds the payload's stderr, so <see cref="PayloadProcess"/> would
/// otherwise wait for it forever.
/// </summary>
public sealed class ProxyPayload : IAsyncDisposable
{
    private readonly PayloadScript _script;
    private readonly string _netns;
    private readonly string _proxyPattern;

    private ProxyPayload(PayloadScript script, string netns, string proxyPattern, PayloadProcess process)
    {
        _script = script;
        _netns = netns;
        _proxyPattern = proxyPattern;
        Process = process;
    }

    public PayloadProcess Process { get; }

    /// <summary>Starts <c>sh -c script</c> in <paramref name="netns"/> (through <c>env</c>, which sets PATH and execs sh).</summary>
    internal static ProxyPayload Start(PayloadScript script, string proxyKind, string netns, TimeSpan? hold = null) =>
        new(
            script,
            netns,
            PayloadProxy.ProcessPattern(proxyKind, script.Tag),
            PayloadProcess.Start(["env", $"PATH={TestPython.PayloadPath}", .. script.Command(script.Render(hold ?? TimeSpan.FromMinutes(5)))], netns));

    /// <summary>The proxy processes alive (by their command line).</summary>
    public IReadOnlyList<int> Proxies() => NetnsProgram.Find(_proxyPattern);

    /// <summary>Kills the payload's shell with SIGKILL (its trap cannot run) and waits until it is gone.</summary>
    public async Task KillHardAsync()
    {
        Process.Signal("KILL");
        await Eventually.TrueAsync(() => Task.FromResult(Process.ExitCode is not null), "the payload to die");
    }

    /// <summary>Runs the early-recovery script in the namespace, as the cleanup container would, and waits for the proxy to be gone.</summary>
    public async Task RecoverEarlyAsync()
    {
        await using (var cleanup = PayloadProcess.Start(["sh", "-c", _script.RenderCleanup(), "cleanup"], _netns))
        {
            (await cleanup.WaitForExitAsync()).Should().Be(0);
            cleanup.Output.Should().Contain("chaos: cleaned up");
        }

        await Eventually.TrueAsync(() => Task.FromResult(Proxies().Count == 0), "the proxy to be gone", TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        NetnsProgram.Kill(_proxyPattern);
        await Process.DisposeAsync();
    }
}

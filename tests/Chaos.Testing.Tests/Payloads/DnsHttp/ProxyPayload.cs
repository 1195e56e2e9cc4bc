using Chaos.Testing.Tests.Support;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>
/// A payload that starts a proxy, run in the pod namespace. Disposing it kills a proxy left running (a test that
/// failed before the cleanup) first: the proxy holds the payload's stderr, so <see cref="PayloadProcess"/> would
/// otherwise wait for it forever.
/// </summary>
public sealed class ProxyPayload : IAsyncDisposable
{
    private readonly string _proxyPattern;

    private ProxyPayload(PayloadProcess process, string proxyPattern)
    {
        Process = process;
        _proxyPattern = proxyPattern;
    }

    public PayloadProcess Process { get; }

    /// <summary>Starts <c>sh -c script</c> in <paramref name="netns"/> (through <c>env</c>, which sets PATH and execs sh).</summary>
    internal static ProxyPayload Start(PayloadScript script, string proxyKind, string netns, TimeSpan? hold = null) =>
        new(
            PayloadProcess.Start(["env", $"PATH={TestPython.PayloadPath}", .. script.Command(script.Render(hold ?? TimeSpan.FromMinutes(5)))], netns),
            PayloadProxy.ProcessPattern(proxyKind, script.Tag));

    /// <summary>The proxy processes alive (by their command line).</summary>
    public IReadOnlyList<int> Proxies() => NetnsProgram.Find(_proxyPattern);

    public async ValueTask DisposeAsync()
    {
        NetnsProgram.Kill(_proxyPattern);
        await Process.DisposeAsync();
    }
}

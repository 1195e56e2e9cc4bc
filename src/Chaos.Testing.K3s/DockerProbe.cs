using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Configurations;

namespace Chaos.Testing.K3s;

/// <summary>
/// Whether a Docker engine answers, found where Testcontainers (which starts K3s) finds it: its own discovery tries
/// <c>~/.testcontainers.properties</c>, <c>DOCKER_HOST</c> and TLS settings, the current Docker context, the default
/// socket <c>/var/run/docker.sock</c> or named pipe, Docker Desktop's and rootless Docker's sockets, and pings each.
/// When it finds none, the reason names what the default place answered (<c>DOCKER_HOST</c>, else
/// <c>/var/run/docker.sock</c>, with <c>GET /_ping</c> within 2 seconds).
/// </summary>
internal static class DockerProbe
{
    /// <summary>The default Docker socket on Linux and macOS.</summary>
    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>How long the ping may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>How long Testcontainers' discovery (which pings every candidate endpoint) may take.</summary>
    public static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Why Docker is not reachable where Testcontainers looks, or null when an endpoint answers.</summary>
    /// <returns>The full reason (<c>Docker is not reachable: ...</c>) or null.</returns>
    public static string? WhyUnreachable()
    {
        if (WhyTestcontainersFoundNone() is not { } none)
        {
            return null;
        }

        var local = Task.Run(() => ProbeAsync(Environment.GetEnvironmentVariable("DOCKER_HOST"), DefaultSocket, Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is { Length: > 0 } tls && tls != "0"))
            .GetAwaiter().GetResult();
        return Message(local is null ? none : $"{local}; {none}");
    }

    /// <summary>Null when Testcontainers' own discovery found an endpoint that answered its ping; else why not.</summary>
    /// <returns>The reason, or null.</returns>
    internal static string? WhyTestcontainersFoundNone()
    {
        var discovery = Task.Run(() => TestcontainersSettings.OS.DockerEndpointAuthConfig);
        try
        {
            if (!discovery.Wait(DiscoveryTimeout))
            {
                return $"Testcontainers' Docker endpoint discovery did not finish within {DiscoveryTimeout.TotalSeconds:0}s (an endpoint that accepts connections but does not answer?)";
            }
        }
        catch (AggregateException ex)
        {
            return $"Testcontainers' Docker endpoint discovery failed: {ex.InnerException?.InnerException?.Message ?? ex.InnerException?.Message ?? ex.Message}";
        }

        return discovery.Result is null
            ? "Testcontainers' own discovery (~/.testcontainers.properties, DOCKER_HOST, the Docker context, Docker Desktop and rootless sockets) found no endpoint that answers"
            : null;
    }

    /// <summary>Why Docker is not reachable at <paramref name="dockerHost"/> (else <paramref name="defaultSocket"/>), or null when it answers.</summary>
    /// <param name="dockerHost">The <c>DOCKER_HOST</c> value, or null.</param>
    /// <param name="defaultSocket">The socket used when <paramref name="dockerHost"/> is not set.</param>
    /// <param name="tls">Whether TLS is on for a TCP host (then only a connect is tried).</param>
    /// <returns>The full reason or null.</returns>
    public static string? WhyUnreachable(string? dockerHost, string defaultSocket, bool tls = false)
    {
        var why = Task.Run(() => ProbeAsync(dockerHost, defaultSocket, tls)).GetAwaiter().GetResult();
        return why is null ? null : Message(why);
    }

    /// <summary>The full message for a reason.</summary>
    /// <param name="why">What failed.</param>
    /// <returns>The message.</returns>
    public static string Message(string why) =>
        $"Docker is not reachable: {why} (checked DOCKER_HOST / unix://{DefaultSocket}); K3s needs a Docker engine — run on a machine with Docker or use the emulator (CHAOS_CLUSTER=emulator)";

    private static async Task<string?> ProbeAsync(string? dockerHost, string defaultSocket, bool tls)
    {
        dockerHost = string.IsNullOrWhiteSpace(dockerHost) ? null : dockerHost.Trim();
        if (dockerHost is null && OperatingSystem.IsWindows())
        {
            return null; // Docker Desktop's named pipe: not probed here (Testcontainers pings it).
        }

        string socketPath;
        if (dockerHost is null)
        {
            socketPath = defaultSocket;
        }
        else if (dockerHost.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
        {
            socketPath = dockerHost["unix://".Length..];
        }
        else if (dockerHost.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            return await PingTcpAsync(dockerHost, tls);
        }
        else if (dockerHost.StartsWith("npipe://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        else
        {
            return $"DOCKER_HOST=\"{dockerHost}\" is not a unix://, tcp:// or npipe:// address";
        }

        if (!File.Exists(socketPath))
        {
            return $"the socket {socketPath} does not exist{(dockerHost is null ? " and DOCKER_HOST is not set" : $" (DOCKER_HOST={dockerHost})")}";
        }

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return await PingAsync(handler, new Uri("http://docker/_ping"), $"the socket {socketPath}");
    }

    private static async Task<string?> PingTcpAsync(string dockerHost, bool tls)
    {
        if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri) || uri.Port <= 0)
        {
            return $"DOCKER_HOST=\"{dockerHost}\" is not a valid tcp://host:port address";
        }

        if (tls)
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(Timeout);
            try
            {
                await client.ConnectAsync(uri.Host, uri.Port, cts.Token);
                return null;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return $"DOCKER_HOST={dockerHost} did not accept a connection within {Timeout.TotalSeconds:0}s ({ex.Message})";
            }
        }

        using var handler = new SocketsHttpHandler();
        return await PingAsync(handler, new Uri($"http://{uri.Host}:{uri.Port}/_ping"), $"DOCKER_HOST={dockerHost}");
    }

    private static async Task<string?> PingAsync(HttpMessageHandler handler, Uri ping, string what)
    {
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(ping);
            return response.StatusCode == HttpStatusCode.OK ? null : $"{what} answered GET /_ping with {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (TaskCanceledException)
        {
            return $"{what} did not answer GET /_ping within {Timeout.TotalSeconds:0}s";
        }
        catch (HttpRequestException ex)
        {
            return $"{what} did not answer GET /_ping ({ex.InnerException?.Message ?? ex.Message})";
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// One attempt of a container probe, as the kubelet makes it: <c>httpGet</c> succeeds on a status from 200 to 399,
/// <c>tcpSocket</c> when a connection opens, <c>exec</c> when the command exits 0 inside the container; each within
/// <c>timeoutSeconds</c>. A <c>grpc</c> probe is not supported and fails, saying so.
/// </summary>
internal static class ContainerProbe
{
    // Probes go straight to the pod: a proxy from the environment must not see (or break) them.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
#pragma warning disable CA5359 // As the kubelet: an HTTPS probe does not verify the pod's certificate (pods serve self-signed ones).
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Gets the probe's timing with the API's defaults (period 10 s, timeout 1 s, success 1, failure 3).</summary>
    public static (TimeSpan InitialDelay, TimeSpan Period, TimeSpan Timeout, int SuccessThreshold, int FailureThreshold) Timing(JsonObject probe) =>
        (TimeSpan.FromSeconds(Seconds(probe, "initialDelaySeconds", 0)),
         TimeSpan.FromSeconds(Math.Max(1, Seconds(probe, "periodSeconds", 10))),
         TimeSpan.FromSeconds(Math.Max(1, Seconds(probe, "timeoutSeconds", 1))),
         (int)Math.Max(1, Seconds(probe, "successThreshold", 1)),
         (int)Math.Max(1, Seconds(probe, "failureThreshold", 3)));

    /// <summary>Makes one attempt; returns whether it succeeded and, when not, why (as the kubelet's event says).</summary>
    /// <param name="probe">The probe from the container's spec.</param>
    /// <param name="podIp">The pod's IP (an httpGet or tcpSocket without <c>host</c> goes there).</param>
    /// <param name="container">The container's spec, for named ports.</param>
    /// <param name="exec">Runs a command inside the container: its exit code, output and whether it timed out.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    public static async Task<(bool Ok, string? Message)> AttemptAsync(
        JsonObject probe, string podIp, JsonObject container, Func<IReadOnlyList<string>, TimeSpan, CancellationToken, Task<(int ExitCode, string Output, bool TimedOut)>> exec,
        CancellationToken cancellationToken)
    {
        var timeout = Timing(probe).Timeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            if (probe["httpGet"] is JsonObject http)
            {
                var host = http["host"]?.ToString() is { Length: > 0 } h ? h : podIp;
                var port = Port(http["port"], container);
                var scheme = string.Equals(http["scheme"]?.ToString(), "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
                var path = http["path"]?.ToString() is { Length: > 0 } p ? p : "/";
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{Bracket(host)}:{port.ToString(CultureInfo.InvariantCulture)}{(path.StartsWith('/') ? path : "/" + path)}");
                request.Headers.TryAddWithoutValidation("User-Agent", "kube-probe/1.33");
                foreach (var header in http["httpHeaders"] as JsonArray ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header?["name"]?.ToString() ?? string.Empty, header?["value"]?.ToString());
                }

                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400 ? (true, null) : (false, $"HTTP probe failed with statuscode: {code.ToString(CultureInfo.InvariantCulture)}");
            }

            if (probe["tcpSocket"] is JsonObject tcp)
            {
                var host = tcp["host"]?.ToString() is { Length: > 0 } h ? h : podIp;
                var port = Port(tcp["port"], container);
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Parse(host), port, cts.Token);
                return (true, null);
            }

            if (probe["exec"]?["command"] is JsonArray command)
            {
                var result = await exec(command.Select(c => c?.ToString() ?? string.Empty).ToList(), timeout, cts.Token);
                return result.TimedOut
                    ? (false, $"command timed out after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s")
                    : result.ExitCode == 0 ? (true, null) : (false, $"command exited {result.ExitCode.ToString(CultureInfo.InvariantCulture)}: {result.Output.Trim()}");
            }

            return (false, probe["grpc"] is not null
                ? "grpc probes are not supported by the emulator's process runtime; use httpGet, tcpSocket or exec"
                : "the probe has no handler (httpGet, tcpSocket or exec)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"probe timed out after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or FormatException or IOException)
        {
            return (false, e.Message);
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private static int Port(JsonNode? port, JsonObject container)
    {
        if (port is JsonValue value && value.TryGetValue<int>(out var number))
        {
            return number;
        }

        var text = port?.ToString() ?? string.Empty;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        var named = (container["ports"] as JsonArray ?? []).FirstOrDefault(p => p?["name"]?.ToString() == text);
        return named?["containerPort"]?.ToInt32() ?? throw new FormatException($"the container has no port named \"{text}\"");
    }

    private static string Bracket(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    private static long Seconds(JsonObject probe, string field, long fallback) => probe[field]?.ToInt64() ?? fallback;
}

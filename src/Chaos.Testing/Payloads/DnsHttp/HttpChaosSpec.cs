using System.Globalization;

namespace Chaos.Testing;

/// <summary>
/// What the HTTP payload injects on a container port (see <see cref="HttpChaosPayload"/>): each selected request is
/// delayed by <see cref="Delay"/>, then answered with <see cref="AbortStatus"/> instead of reaching the container.
/// A request is selected when it matches <see cref="Method"/> and <see cref="PathPrefix"/> and wins a draw of
/// <see cref="Percent"/>.
/// </summary>
/// <param name="Port">The container port whose inbound HTTP/1.x traffic is proxied.</param>
internal sealed record HttpChaosSpec(int Port)
{
    /// <summary>The default port of the HTTP proxy in the pod.</summary>
    public const int DefaultProxyPort = 15080;

    /// <summary>Gets the port the proxy listens on (all IPv4 addresses of the pod); it must be free in the pod.</summary>
    public int ProxyPort { get; init; } = DefaultProxyPort;

    /// <summary>Gets the share of matching requests affected, more than 0 and at most 100.</summary>
    public double Percent { get; init; } = 100;

    /// <summary>Gets the latency added to each selected request before it is forwarded or aborted (whole milliseconds).</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;

    /// <summary>Gets the status code (200 to 599) that answers each selected request in place of the container; null forwards it.</summary>
    public int? AbortStatus { get; init; }

    /// <summary>Gets the path prefix a request must start with to be affected (e.g. <c>/api/</c>); null matches every path.</summary>
    public string? PathPrefix { get; init; }

    /// <summary>Gets the method a request must have to be affected (upper case, e.g. <c>POST</c>); null matches every method.</summary>
    public string? Method { get; init; }

    /// <summary>Gets the seed of the proxy's draws: the same seed and the same sequence of matching requests select the same requests; null draws from the OS.</summary>
    public int? Seed { get; init; }

    /// <summary>Adds every problem of this spec to <paramref name="errors"/>, each naming the field, the value and the fix.</summary>
    public void Validate(ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Port is < 1 or > 65535)
        {
            errors.Add($"HttpChaos.Port: must be the container port from 1 to 65535, was {Port.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (ProxyPort is < 1 or > 65535 || ProxyPort == Port)
        {
            errors.Add($"HttpChaos.ProxyPort: must be a free port from 1 to 65535 other than Port, was {ProxyPort.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!(Percent > 0 && Percent <= 100))
        {
            errors.Add($"HttpChaos.Percent: must be more than 0 and at most 100, was {Percent.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (Delay < TimeSpan.Zero || Delay > TimeSpan.FromMinutes(10) || Delay.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            errors.Add($"HttpChaos.Delay: must be whole milliseconds from 0 to 10 minutes, was {Delay}.");
        }

        if (AbortStatus is < 200 or > 599)
        {
            errors.Add($"HttpChaos.AbortStatus: must be a status code from 200 to 599, e.g. 503, was {AbortStatus}.");
        }

        if (AbortStatus is null && Delay == TimeSpan.Zero)
        {
            errors.Add("HttpChaos: nothing to inject; set Delay, AbortStatus or both.");
        }

        if (PathPrefix is not null && (!PathPrefix.StartsWith('/') || PathPrefix.Any(c => c <= ' ' || c >= '\x7f')))
        {
            errors.Add($"HttpChaos.PathPrefix: must start with '/' and hold no spaces or control characters, e.g. \"/api/\", was \"{PathPrefix}\".");
        }

        if (Method is not null && (Method.Length == 0 || !Method.All(c => char.IsAsciiLetterUpper(c) || c is '-' or '_')))
        {
            errors.Add($"HttpChaos.Method: must be an upper-case HTTP method such as GET or POST, was \"{Method}\".");
        }
    }
}

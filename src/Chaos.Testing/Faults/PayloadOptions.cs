namespace Chaos.Testing;

/// <summary>Options every payload fault shares: the image of its container and the container it targets.</summary>
public abstract class PayloadOptions
{
    private protected PayloadOptions(string image) => Image = image;

    /// <summary>Gets or sets the image of the payload container (it must have the tools the fault's page lists). Preload it on air-gapped clusters.</summary>
    public string Image { get; set; }

    /// <summary>
    /// Gets or sets the target container: the one whose restart or exit ends the fault early, and, for the faults that
    /// act on its processes or files (container kill, disk fill, CPU and memory stress), whose PID namespace the payload
    /// joins; null for the pod's first container.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Container { get; set; }

    /// <summary>The default <see cref="StartTimeout"/>: 2 minutes.</summary>
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The default <see cref="CleanupTimeout"/>: 1 minute.</summary>
    public static readonly TimeSpan DefaultCleanupTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how long each payload container may take to start and install its fault, pulling its image
    /// included: raise it where a large payload image is pulled over a slow link, or pre-pull the image.
    /// </summary>
    /// <value>The default value is 2 minutes; allowed: more than zero, at most 30 minutes.</value>
    public TimeSpan StartTimeout { get; set; } = DefaultStartTimeout;

    /// <summary>Gets or sets how long an early-recovery cleanup container (same image) may take, pulling its image included.</summary>
    /// <value>The default value is 1 minute; allowed: more than zero, at most 30 minutes.</value>
    public TimeSpan CleanupTimeout { get; set; } = DefaultCleanupTimeout;

    private protected void ValidatePayload(string fault, ICollection<string> errors)
    {
        foreach (var (name, value) in new[] { (nameof(StartTimeout), StartTimeout), (nameof(CleanupTimeout), CleanupTimeout) })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(30))
            {
                errors.Add($"{fault}.{name}: must be more than 0 and at most 30 minutes, was {value}.");
            }
        }

        if (string.IsNullOrWhiteSpace(Image) || Image.Any(char.IsWhiteSpace))
        {
            errors.Add($"{fault}.Image: must be an image reference without spaces, was \"{Image}\".");
        }

        if (Container is not null && KubernetesNames.CheckName(Container) is { } problem)
        {
            errors.Add($"{fault}.Container: \"{Container}\" {problem}.");
        }
    }
}

/// <summary>Which traffic of the target pods a network fault affects.</summary>
public enum TrafficDirection
{
    /// <summary>Traffic the pods send.</summary>
    Egress,

    /// <summary>Traffic the pods receive (through an ifb device).</summary>
    Ingress,

    /// <summary>Both.</summary>
    Both,
}

/// <summary>Options shared by the network faults that shape traffic (delay, loss, corruption, duplication, bandwidth).</summary>
public abstract class NetworkFaultOptions : PayloadOptions
{
    /// <summary>The default image: it has <c>tc</c>, <c>iptables</c> and <c>ip</c>.</summary>
    public const string DefaultImage = "nicolaka/netshoot:v0.13";

    private protected NetworkFaultOptions()
        : base(DefaultImage)
    {
    }

    /// <summary>Gets or sets the traffic affected.</summary>
    /// <value>The default value is <see cref="TrafficDirection.Egress"/>.</value>
    public TrafficDirection Direction { get; set; } = TrafficDirection.Egress;

    /// <summary>Gets the destination IPv4 addresses or CIDRs the fault is limited to (empty: all traffic).</summary>
    public System.Collections.ObjectModel.Collection<string> Destinations { get; } = [];

    /// <summary>Gets the ports the fault is limited to, TCP and UDP (empty: all ports).</summary>
    public System.Collections.ObjectModel.Collection<int> Ports { get; } = [];

    private protected void ValidateNetwork(string fault, ICollection<string> errors)
    {
        ValidatePayload(fault, errors);
        if (!Enum.IsDefined(Direction))
        {
            errors.Add($"{fault}.Direction: must be Egress, Ingress or Both, was {(int)Direction}.");
        }

        foreach (var destination in Destinations)
        {
            if (!IsCidr(destination))
            {
                errors.Add($"{fault}.Destinations: \"{destination}\" is not an IPv4 address or CIDR; use e.g. \"10.0.0.12\" or \"10.0.0.0/16\".");
            }
        }

        foreach (var port in Ports)
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{fault}.Ports: {port} is not a port; use 1-65535.");
            }
        }
    }

    internal NetworkFilter? Filter() => Destinations.Count == 0 && Ports.Count == 0 ? null : new NetworkFilter([.. Destinations], [.. Ports]);

    internal NetworkDirection TrafficToSpec() => Direction switch
    {
        TrafficDirection.Ingress => NetworkDirection.Ingress,
        TrafficDirection.Both => NetworkDirection.Both,
        _ => NetworkDirection.Egress,
    };

    internal static bool IsCidr(string? text)
    {
        // Digits, dots and one slash only: the parsers below would accept spaces the payload's iptables then refuses.
        if (string.IsNullOrEmpty(text) || !text.All(c => char.IsAsciiDigit(c) || c is '.' or '/'))
        {
            return false;
        }

        var parts = text.Split('/');
        return parts.Length is 1 or 2
            && System.Net.IPAddress.TryParse(parts[0], out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && parts[0].Count(c => c == '.') == 3
            && (parts.Length == 1 || (int.TryParse(parts[1], out var bits) && bits is >= 0 and <= 32));
    }

    private protected static void Percent(string field, double value, ICollection<string> errors)
    {
        if (double.IsNaN(value) || value <= 0 || value > 100)
        {
            errors.Add($"{field}: must be more than 0 and at most 100 (percent), was {value}.");
        }
    }
}

namespace Chaos.Testing;

/// <summary>Options of the HTTP chaos fault: give <see cref="Delay"/>, <see cref="AbortStatus"/> or both.</summary>
public sealed class HttpChaosOptions : PayloadOptions
{
    /// <summary>The default image: it must have <c>iptables</c> and <c>python3</c> (the proxy is a Python program).</summary>
    public const string DefaultImage = NetworkFaultOptions.DefaultImage;

    /// <summary>Initializes a new instance of the <see cref="HttpChaosOptions"/> class.</summary>
    public HttpChaosOptions()
        : base(DefaultImage)
    {
    }

    /// <summary>Gets or sets the share of matching requests affected, more than 0 and at most 100 percent.</summary>
    /// <value>The default value is 100.</value>
    public double Percent { get; set; } = 100;

    /// <summary>Gets or sets the latency added to affected requests.</summary>
    /// <value>The default value is zero.</value>
    public TimeSpan Delay { get; set; }

    /// <summary>Gets or sets the status code affected requests are answered with instead of reaching the container (e.g. 503).</summary>
    /// <value>The default value is <see langword="null"/> (no abort).</value>
    public int? AbortStatus { get; set; }

    /// <summary>Gets or sets the path prefix a request must have to be affected, e.g. <c>/api</c>.</summary>
    /// <value>The default value is <see langword="null"/> (every path).</value>
    public string? PathPrefix { get; set; }

    /// <summary>Gets or sets the method a request must have to be affected, e.g. <c>POST</c>.</summary>
    /// <value>The default value is <see langword="null"/> (every method).</value>
    public string? Method { get; set; }

    /// <summary>Gets or sets the seed of the proxy's random choice of affected requests, for reproducible runs.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Seed { get; set; }

    internal HttpChaosSpec ToSpec(int port) => new(port)
    {
        Percent = Percent,
        Delay = Delay,
        AbortStatus = AbortStatus,
        PathPrefix = PathPrefix,
        Method = Method,
        Seed = Seed,
    };

    internal void Validate(int port, ICollection<string> errors)
    {
        ValidatePayload("HttpChaos", errors);
        ToSpec(port).Validate(errors);
    }
}

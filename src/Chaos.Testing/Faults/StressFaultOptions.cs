namespace Chaos.Testing;

/// <summary>Options shared by the stress faults: stress-ng in a payload container.</summary>
public abstract class StressFaultOptions : PayloadOptions
{
    /// <summary>
    /// The default image: stress-ng's own image at release V0.18.10 (tagged with that release's commit), built
    /// <c>FROM alpine:3</c>: <c>stress-ng</c> on <c>PATH</c>, and <c>sh</c>, <c>pgrep</c>/<c>pkill</c>, <c>mkdir</c>,
    /// <c>sleep</c>, <c>sed</c> from BusyBox.
    /// </summary>
    public const string DefaultImage = "colinianking/stress-ng:e00c355b8e9af3f7ce091e88ec6ddb5c439dc972";

    private protected StressFaultOptions()
        : base(DefaultImage)
    {
    }

    /// <summary>Gets or sets how many stress-ng workers run.</summary>
    /// <value>The default value is 1.</value>
    public int Workers { get; set; } = 1;

    private protected void ValidateStress(string fault, IntRange workers, ICollection<string> errors)
    {
        ValidatePayload(fault, errors);
        workers.Check($"{fault}.Workers", Workers, errors);
    }
}

namespace Chaos.Testing;

/// <summary>Options shared by the stress faults: stress-ng in a payload container.</summary>
public abstract class StressFaultOptions : PayloadOptions
{
    /// <summary>The default image: it has <c>stress-ng</c>, <c>sh</c> and <c>pkill</c>.</summary>
    public const string DefaultImage = "alexeiled/stress-ng:0.12.05";

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

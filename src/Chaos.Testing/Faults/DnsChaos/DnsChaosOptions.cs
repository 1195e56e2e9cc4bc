using System.Collections.ObjectModel;
using System.Net;

namespace Chaos.Testing;

/// <summary>What DNS chaos does to the names it matches.</summary>
public enum DnsChaosMode
{
    /// <summary>Every DNS query of the pods is dropped (UDP and TCP port 53): resolution fails after its timeout.</summary>
    Block,

    /// <summary>Names matching <see cref="DnsChaosOptions.Patterns"/> get NXDOMAIN; other names resolve as usual.</summary>
    Fail,

    /// <summary>Names matching <see cref="DnsChaosOptions.Patterns"/> resolve to <see cref="DnsChaosOptions.Address"/>; other names as usual.</summary>
    WrongAddress,
}

/// <summary>Options of the DNS chaos fault.</summary>
public sealed class DnsChaosOptions : PayloadOptions
{
    /// <summary>The default image: it must have <c>iptables</c> and <c>python3</c> (the answering proxy is a Python program).</summary>
    public const string DefaultImage = NetworkFaultOptions.DefaultImage;

    /// <summary>Initializes a new instance of the <see cref="DnsChaosOptions"/> class.</summary>
    public DnsChaosOptions()
        : base(DefaultImage)
    {
    }

    /// <summary>Gets or sets what happens to matching names.</summary>
    /// <value>The default value is <see cref="DnsChaosMode.Block"/>.</value>
    public DnsChaosMode Mode { get; set; } = DnsChaosMode.Block;

    /// <summary>Gets the name patterns (shell wildcards <c>*</c> and <c>?</c>, e.g. <c>*.example.com</c>) for <see cref="DnsChaosMode.Fail"/> and <see cref="DnsChaosMode.WrongAddress"/>.</summary>
    public Collection<string> Patterns { get; } = [];

    /// <summary>Gets or sets the IPv4 address matching names resolve to with <see cref="DnsChaosMode.WrongAddress"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IPAddress? Address { get; set; }

    internal DnsChaosSpec ToSpec() => new(Mode switch
    {
        DnsChaosMode.Fail => DnsChaosAction.Fail,
        DnsChaosMode.WrongAddress => DnsChaosAction.WrongAddress,
        DnsChaosMode.Block => DnsChaosAction.Block,
        _ => (DnsChaosAction)(-1),
    })
    {
        Patterns = [.. Patterns],
        Address = Address,

        // The pod's: the kubelet gives every container of a pod, ephemeral ones included, the pod's resolv.conf, so the
        // payload needs neither the target's PID namespace nor its /proc/1/root.
        ResolvConfPath = "/etc/resolv.conf",
    };

    internal void Validate(ICollection<string> errors)
    {
        ValidatePayload("DnsChaos", errors);
        ToSpec().Validate(errors);
    }
}

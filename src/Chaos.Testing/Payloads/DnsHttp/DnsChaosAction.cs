namespace Chaos.Testing;

/// <summary>What the DNS payload does to the target pod's name resolution.</summary>
internal enum DnsChaosAction
{
    /// <summary>Every DNS query fails: iptables drops UDP and TCP to port 53 (the resolver gets an error at once), or the answers from port 53 (it times out).</summary>
    Block,

    /// <summary>Names matching the patterns get NXDOMAIN; every other name resolves as before.</summary>
    Fail,

    /// <summary>Names matching the patterns resolve to a fixed IPv4 address (A) and to no IPv6 address (AAAA); every other name resolves as before.</summary>
    WrongAddress,
}

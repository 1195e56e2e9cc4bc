namespace Chaos.Testing;

/// <summary>
/// What a payload fault's container is, stated in its code once and used by injection, early recovery and the janitor
/// alike: never read from the ledger. A forged entry can therefore choose neither the capabilities, nor the image the
/// janitor runs (configuration, else <see cref="DefaultImage"/>), nor what the cleanup script does.
/// </summary>
/// <param name="DefaultImage">The image the janitor's cleanup uses unless <c>SweepOptions.PayloadImages</c> names another for the fault.</param>
/// <param name="Capabilities">The Linux capabilities added after dropping ALL (payload and cleanup alike).</param>
/// <param name="SharesTargetProcesses">Whether the payload joins the target container's PID namespace (<c>targetContainerName</c>): only a fault that acts on the target's processes or filesystem (<c>/proc/1/root</c>).</param>
/// <param name="OneShot">Whether the payload acts once and ends (container kill).</param>
/// <param name="Network">Whether the payload changes the pod's network (its cleanup removes qdiscs on <see cref="Interface"/>).</param>
/// <param name="FillsDisk">Whether the payload fills a directory (its record names it; its cleanup removes the fill file).</param>
internal sealed record PayloadProfile(
    string DefaultImage, IReadOnlyList<string> Capabilities, bool SharesTargetProcesses = false, bool OneShot = false, bool Network = false, bool FillsDisk = false)
{
    /// <summary>The interface the network payloads shape (the pod's side of its veth).</summary>
    public const string Interface = "eth0";

    /// <summary>Where a pod disk fill mounts the volume it fills.</summary>
    public const string VolumeMount = "/chaos-volume";

    /// <summary>
    /// Gets the profile of the faults that shape or filter traffic (delay, loss, corruption, duplication, bandwidth,
    /// partition): <c>tc</c> needs NET_ADMIN, <c>iptables</c> NET_ADMIN and, with the legacy backend, NET_RAW.
    /// </summary>
    public static PayloadProfile TrafficShaping { get; } = new(NetworkFaultOptions.DefaultImage, ["NET_ADMIN", "NET_RAW"], Network: true);

    /// <summary>Where a node payload mounts its node directory.</summary>
    public const string HostMount = "/host";
}

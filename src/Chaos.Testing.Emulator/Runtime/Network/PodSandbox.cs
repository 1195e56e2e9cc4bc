using System.Net;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>The network of one pod: a network namespace whose <c>eth0</c> is one end of a veth pair on the bridge.</summary>
/// <param name="PodKey">The caller's key for the pod (for example <c>namespace/name</c>).</param>
/// <param name="NetnsName">The namespace's name, for <c>ip netns exec &lt;name&gt;</c>.</param>
/// <param name="NetnsPath">The namespace's file (<c>/run/netns/&lt;name&gt;</c>), for <c>setns</c> or <c>nsenter --net=</c>.</param>
/// <param name="Ip">The pod's address on <c>eth0</c>.</param>
/// <param name="HostInterface">The host end of the veth pair, a port of the bridge.</param>
internal sealed record PodSandbox(string PodKey, string NetnsName, string NetnsPath, IPAddress Ip, string HostInterface);

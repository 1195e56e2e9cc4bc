using System.Net;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>One port of a ClusterIP service and the endpoints its connections are spread over.</summary>
/// <param name="ClusterIp">The service's address; it must lie in the network's service range.</param>
/// <param name="Port">The service port.</param>
/// <param name="Protocol"><c>TCP</c> or <c>UDP</c>.</param>
/// <param name="Endpoints">The ready endpoints (pod address and target port). Empty: connections are refused, as kube-proxy does.</param>
internal sealed record ServiceRoute(IPAddress ClusterIp, int Port, string Protocol, IReadOnlyList<IPEndPoint> Endpoints);

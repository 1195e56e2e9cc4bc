using k8s;

namespace Chaos.Testing;

/// <summary>What a probe session gets from the engine.</summary>
internal sealed record ProbeRuntime(IKubernetes Client, ApiCalls Api, TimeProvider Time);

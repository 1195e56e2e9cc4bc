using k8s.Models;

namespace Chaos.Testing;

/// <summary>The network faults (delay, loss, corruption, duplication, bandwidth): one payload builder each, NET_ADMIN only.</summary>
internal sealed class NetworkFault(string name, string verb, PayloadOptions options, Action<ICollection<string>> validate, Action<PayloadScript> build, string describe) : PodPayloadFault
{
    public override string Name => name;

    public override string Verb => verb;

    public override void Validate(ICollection<string> errors) => validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => new() { Image = options.Image, TargetContainer = options.Container, Capabilities = ["NET_ADMIN"] };

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared)
    {
        var script = new PayloadScript(tag);
        build(script);
        return script;
    }

    protected override string Describe(V1Pod pod) => describe;
}

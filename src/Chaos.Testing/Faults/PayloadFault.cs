using k8s.Models;

namespace Chaos.Testing;

/// <summary>A pod payload fault made of delegates: the fault folders' extension methods build one each.</summary>
internal sealed class PayloadFault(string name, string verb, PayloadContainer container, Action<ICollection<string>> validate, Func<string, TimeSpan, PayloadScript> build, string describe, bool oneShot = false) : PodPayloadFault
{
    public override string Name => name;

    public override string Verb => verb;

    public override void Validate(ICollection<string> errors) => validate(errors);

    protected override PayloadContainer ContainerFor(V1Pod pod) => container;

    protected override PayloadScript ScriptFor(FaultContext context, V1Pod pod, string tag, object? prepared) =>
        build(tag, PayloadHold(context));

    protected override TimeSpan PayloadHold(FaultContext context) => oneShot ? TimeSpan.Zero : context.Hold;

    protected override bool OneShot => oneShot;

    protected override string Describe(V1Pod pod) => describe;
}

using Chaos.Testing.Tests.Architecture;

namespace Chaos.Testing.Tests.Docs;

/// <summary>Each payload fault's page shows its container's security context, as its code states it.</summary>
public sealed class PayloadSecurityDocsTests
{
    public static TheoryData<string> PayloadFaults() =>
        [.. FaultCatalog.All.Where(f => f.Mechanism is FaultMechanism.PodPayload or FaultMechanism.NodePayload).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(PayloadFaults))]
    public void PayloadFaultPage_ShowsTheSecurityContextOfItsCode(string name)
    {
        var fault = FaultCatalog.Find(name)!;
        var profile = PodPayloadFault.ProfileOf(fault) ?? NodePayloadFault.ProfileOf(fault)!;
        var page = File.ReadAllText(Path.Combine(SourceTree.Root, fault.DocsPage));

        var section = page[page.IndexOf("## Security context", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        section.Should().Contain("drop: [ALL]").And.Contain("allowPrivilegeEscalation: false").And.Contain("type: RuntimeDefault");
        section.Should().Contain(profile.Capabilities.Count == 0 ? "add: []  # none" : $"add: [{string.Join(", ", profile.Capabilities)}]");
        foreach (var capability in profile.Capabilities)
        {
            section.Should().Contain($"- `{capability}`: ", "each capability says why the fault needs it");
        }

        if (fault.Mechanism == FaultMechanism.NodePayload)
        {
            section.Should().Contain("automountServiceAccountToken: false").And.Contain("activeDeadlineSeconds");
        }
        else
        {
            section.Should().Contain(profile.SharesTargetProcesses ? "`targetContainerName` is set" : "`targetContainerName` is not set");
        }
    }
}

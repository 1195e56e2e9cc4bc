using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>A container's capabilities from its security context, as containerd computes them.</summary>
public sealed class CapabilitySetTests
{
    [Fact]
    public void Default_IsContainerdsSet()
    {
        CapabilitySet.Default.Names.Should().BeEquivalentTo(
            "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
            "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE");
        CapabilitySet.FromSecurityContext(null).Names.Should().BeEquivalentTo(CapabilitySet.Default.Names);
    }

    [Fact]
    public void Privileged_GetsAll()
    {
        CapabilitySet.FromSecurityContext(Context("""{"privileged": true, "capabilities": {"drop": ["ALL"]}}""")).Should().BeSameAs(CapabilitySet.All);
        CapabilitySet.All.Names.Should().HaveCount(41).And.Contain(["SYS_ADMIN", "CHECKPOINT_RESTORE"]);
    }

    [Fact]
    public void AddAndDrop_AnyCase_WithOrWithoutPrefix()
    {
        var set = CapabilitySet.FromSecurityContext(Context("""{"capabilities": {"add": ["net_admin", "CAP_SYS_TIME"], "drop": ["cap_chown", "Kill"]}}"""));

        set.Contains("NET_ADMIN").Should().BeTrue();
        set.Contains("cap_sys_time").Should().BeTrue();
        set.Contains("CHOWN").Should().BeFalse();
        set.Contains("KILL").Should().BeFalse();
        set.Names.Should().HaveCount(CapabilitySet.Default.Names.Count);
    }

    [Fact]
    public void DropAll_ThenAdd_KeepsOnlyTheAdded()
    {
        CapabilitySet.FromSecurityContext(Context("""{"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN", "NET_RAW"]}}""")).Names.Should().Equal("NET_ADMIN", "NET_RAW");
        CapabilitySet.FromSecurityContext(Context("""{"capabilities": {"drop": ["ALL"]}}""")).Mask.Should().Be(0);
    }

    [Fact]
    public void AddAll_ThenDrop_IsAllButTheDropped()
    {
        var set = CapabilitySet.FromSecurityContext(Context("""{"capabilities": {"add": ["ALL"], "drop": ["SYS_ADMIN"]}}"""));

        set.Names.Should().HaveCount(40).And.NotContain("SYS_ADMIN");
    }

    [Fact]
    public void FromHex_ReadsProcStatus()
    {
        CapabilitySet.FromHex("0000000000003000").Names.Should().Equal("NET_ADMIN", "NET_RAW");
        CapabilitySet.FromHex(CapabilitySet.Default.Mask.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)).Names.Should().BeEquivalentTo(CapabilitySet.Default.Names);
        CapabilitySet.Of("NET_ADMIN", "no-such-cap").Names.Should().Equal(["NET_ADMIN"], "unknown names are left out");
    }

    private static JsonObject Context(string json) => JsonNode.Parse(json)!.AsObject();
}

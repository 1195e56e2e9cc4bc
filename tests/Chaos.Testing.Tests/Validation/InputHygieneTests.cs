using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Chaos.Testing.Tests.Validation;

/// <summary>Names and addresses that only look valid: a trailing newline or space is refused when the experiment is validated.</summary>
public sealed class InputHygieneTests
{
    [Theory]
    [InlineData("kube-system\n")]
    [InlineData("shop\n")]
    public void Namespace_WithATrailingNewline_IsRefused(string ns)
    {
        var errors = Experiment.On(Pods.In(ns)).Kill().Validate();

        errors.Should().ContainSingle().Which.Should().StartWith("Target.Namespaces: ");
    }

    [Fact]
    public void LabelValue_WithATrailingNewline_IsRefused()
    {
        Experiment.On(Pods.In("shop").WithLabel("app", "cart\n")).Kill().Validate().Should().ContainSingle();
    }

    [Theory]
    [InlineData("10.0.0.0/8 ")]
    [InlineData(" 10.0.0.12")]
    [InlineData("10.0.0.12\n")]
    public void Cidr_WithSpaces_IsRefusedAtValidation_NotLaterByIptables(string cidr)
    {
        var partition = Experiment.On(Pods.In("shop")).Partition(o => o.Cidrs.Add(cidr)).Validate();
        var delay = Experiment.On(Pods.In("shop")).DelayNetwork(TimeSpan.FromMilliseconds(10), o => o.Destinations.Add(cidr)).Validate();

        partition.Should().ContainSingle().Which.Should().StartWith("Partition.Cidrs: ").And.Contain("is not an IPv4 address or CIDR");
        delay.Should().ContainSingle().Which.Should().StartWith("DelayNetwork.Destinations: ").And.Contain("is not an IPv4 address or CIDR");
    }

    [Fact]
    public async Task Emulator_NameWithATrailingNewline_Answers422()
    {
        await using var cluster = await ShopCluster.StartAsync();

        var create = () => cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop2\n" } });

        (await create.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(System.Net.HttpStatusCode.UnprocessableEntity);
    }
}

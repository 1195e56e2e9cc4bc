using Chaos.Testing.NUnit;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Chaos.Testing.NUnit.Tests;

/// <summary>What [ChaosTest] does to a test, built directly.</summary>
public sealed class ChaosTestAttributeTests
{
    private const string K3sReason =
        "Chaos cluster unavailable: k3s was requested (CHAOS_CLUSTER=k3s) but the Chaos.Testing.K3s package is not referenced by this test project";

    [Test]
    public void SkipReason_names_the_missing_package() =>
        ChaosTestAttribute.SkipReason("k3s").Should().Be(K3sReason);

    [Test]
    public void SkipReason_is_null_for_the_referenced_emulator() =>
        ChaosTestAttribute.SkipReason("emulator").Should().BeNull();

    [Test]
    public void SkipReason_explains_an_unknown_kind() =>
        ChaosTestAttribute.SkipReason("minikube").Should().Be(
            "Chaos cluster unavailable: unknown cluster kind \"minikube\" (CHAOS_CLUSTER); use emulator, kubeconfig or k3s");

    [Test]
    public void An_unavailable_kind_marks_the_test_ignored_with_the_reason()
    {
        var test = NewTest();

        new ChaosTestAttribute { Kind = "k3s", Description = "drain" }.ApplyToTest(test);

        test.RunState.Should().Be(RunState.Ignored);
        test.Properties.Get(PropertyNames.SkipReason).Should().Be(K3sReason);
        test.Properties.Get(ChaosTestAttribute.KindProperty).Should().Be("k3s");
        test.Properties.Get(PropertyNames.Description).Should().Be("drain");
    }

    [Test]
    public void An_available_kind_leaves_the_test_runnable()
    {
        var test = NewTest();

        new ChaosTestAttribute { Kind = "emulator" }.ApplyToTest(test);

        test.RunState.Should().Be(RunState.Runnable);
        test.Properties.ContainsKey(PropertyNames.SkipReason).Should().BeFalse();
    }

    [Test]
    public void Building_from_the_method_applies_the_skip()
    {
        var method = new MethodWrapper(typeof(CartChaosTests), nameof(CartChaosTests.Needs_a_k3s_cluster));

        var test = new ChaosTestAttribute { Kind = "k3s" }.BuildFrom(method, null);
        ((IApplyToTest)new ChaosTestAttribute { Kind = "k3s" }).ApplyToTest(test);

        test.RunState.Should().Be(RunState.Ignored);
        test.Properties.Get(PropertyNames.SkipReason).Should().Be(K3sReason);
    }

    private static TestMethod NewTest() =>
        new(new MethodWrapper(typeof(ChaosTestAttributeTests), nameof(SkipReason_names_the_missing_package)));
}

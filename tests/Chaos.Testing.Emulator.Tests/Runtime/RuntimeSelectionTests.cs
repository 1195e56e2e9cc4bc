namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>Choosing the pod runtime: the variable, the option's validation, and the reason where it cannot run.</summary>
[Collection(nameof(RuntimeVariableTests))]
public sealed class RuntimeSelectionTests
{
    [Theory]
    [InlineData(null, PodRuntime.Simulated)]
    [InlineData("", PodRuntime.Simulated)]
    [InlineData("simulated", PodRuntime.Simulated)]
    [InlineData("Processes", PodRuntime.Processes)]
    [InlineData(" processes ", PodRuntime.Processes)]
    public void RuntimeVariable_SelectsTheRuntime(string? value, PodRuntime expected)
    {
        using var variable = new RuntimeVariable(value);

        EmulatorClusterProvider.RuntimeFromEnvironment().Should().Be(expected);
    }

    [Fact]
    public void RuntimeVariable_WithAnotherValue_IsRefused_NamingTheAllowedOnes_AndTheProviderSaysSo()
    {
        using var variable = new RuntimeVariable("containers");

        var act = EmulatorClusterProvider.RuntimeFromEnvironment;

        act.Should().Throw<ArgumentException>().WithMessage("CHAOS_EMULATOR_RUNTIME=\"containers\"*\"simulated\"*\"processes\"*");
        new EmulatorClusterProvider().WhyUnavailable(new ChaosClusterOptions()).Should().Contain("CHAOS_EMULATOR_RUNTIME=\"containers\"", "the adapters skip (or fail under CHAOS_STRICT) with this reason");
    }

    [Fact]
    public async Task ProcessOptions_Invalid_AreListedAtStart()
    {
        var act = () => KubernetesEmulator.StartAsync(o =>
        {
            o.Runtime = PodRuntime.Processes;
            o.Processes.RestartBackOff = TimeSpan.Zero;
            o.Processes.Images["shop/cart:1.4"] = new ImageProgram(" ");
            o.Processes.NodeDiskSize = 4096;
        });

        var message = (await act.Should().ThrowAsync<ArgumentException>()).Which.Message;
        message.Should().Contain("Processes.RestartBackOff").And.Contain("Processes.Images[\"shop/cart:1.4\"]").And.Contain("Processes.NodeDiskSize: must be between 1 MiB and 64 GiB");
    }

    [Fact]
    public void WhyUnavailable_TheSimulatedRuntime_RunsEverywhere() =>
        KubernetesEmulator.WhyUnavailable(PodRuntime.Simulated).Should().BeNull();

    /// <summary>Sets the variable for one test and restores it.</summary>
    private sealed class RuntimeVariable : IDisposable
    {
        private readonly string? _before = Environment.GetEnvironmentVariable(KubernetesEmulatorOptions.RuntimeVariable);

        public RuntimeVariable(string? value) => Environment.SetEnvironmentVariable(KubernetesEmulatorOptions.RuntimeVariable, value);

        public void Dispose() => Environment.SetEnvironmentVariable(KubernetesEmulatorOptions.RuntimeVariable, _before);
    }
}

/// <summary>Tests that set CHAOS_EMULATOR_RUNTIME run one at a time.</summary>
[CollectionDefinition(nameof(RuntimeVariableTests), DisableParallelization = true)]
public sealed class RuntimeVariableTests;

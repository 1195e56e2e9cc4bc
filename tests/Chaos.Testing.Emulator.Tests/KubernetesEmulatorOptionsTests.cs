namespace Chaos.Testing.Emulator.Tests;

public sealed class KubernetesEmulatorOptionsTests
{
    [Fact]
    public async Task StartAsync_NodeCountZeroAndPortMinusOne_ThrowsArgumentExceptionNamingBoth()
    {
        // Arrange
        var options = new KubernetesEmulatorOptions { NodeCount = 0, Port = -1 };

        // Act
        var act = () => KubernetesEmulator.StartAsync(options);

        // Assert
        var message = (await act.Should().ThrowAsync<ArgumentException>()).Which.Message;
        message.Should().Contain("NodeCount").And.Contain("Port");
    }

    [Theory]
    [InlineData(nameof(KubernetesEmulatorOptions.WatchHistorySize))]
    [InlineData(nameof(KubernetesEmulatorOptions.PodStartDelay))]
    [InlineData(nameof(KubernetesEmulatorOptions.PodReadyDelay))]
    [InlineData(nameof(KubernetesEmulatorOptions.PodTerminationDelay))]
    [InlineData(nameof(KubernetesEmulatorOptions.TimeProvider))]
    public async Task StartAsync_InvalidField_ThrowsArgumentExceptionNamingIt(string field)
    {
        // Arrange
        var options = new KubernetesEmulatorOptions();
        switch (field)
        {
            case nameof(KubernetesEmulatorOptions.WatchHistorySize):
                options.WatchHistorySize = 15;
                break;
            case nameof(KubernetesEmulatorOptions.PodStartDelay):
                options.PodStartDelay = TimeSpan.FromMilliseconds(-1);
                break;
            case nameof(KubernetesEmulatorOptions.PodReadyDelay):
                options.PodReadyDelay = TimeSpan.FromHours(2);
                break;
            case nameof(KubernetesEmulatorOptions.PodTerminationDelay):
                options.PodTerminationDelay = TimeSpan.FromSeconds(-5);
                break;
            default:
                options.TimeProvider = null!;
                break;
        }

        // Act
        var act = () => KubernetesEmulator.StartAsync(options);

        // Assert
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(field);
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        // Act
        var options = new KubernetesEmulatorOptions();

        // Assert
        options.Port.Should().Be(0);
        options.NodeCount.Should().Be(3);
        options.PodStartDelay.Should().Be(TimeSpan.FromMilliseconds(20));
        options.PodReadyDelay.Should().Be(TimeSpan.FromMilliseconds(20));
        options.PodTerminationDelay.Should().Be(TimeSpan.FromMilliseconds(50));
        options.WatchHistorySize.Should().Be(10_000);
        options.TimeProvider.Should().BeSameAs(TimeProvider.System);
        options.KubeconfigPath.Should().BeNull();
    }
}

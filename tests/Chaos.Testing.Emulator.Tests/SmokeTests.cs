namespace Chaos.Testing.Emulator.Tests;

public class SmokeTests
{
    [Fact]
    public void Builds() => true.Should().BeTrue();
}

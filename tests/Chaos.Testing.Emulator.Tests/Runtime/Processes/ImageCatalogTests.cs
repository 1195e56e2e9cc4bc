using Chaos.Testing.Emulator.Runtime.Processes;

namespace Chaos.Testing.Emulator.Tests.Runtime.Processes;

/// <summary>Which program an image and a container's command and args run on this machine.</summary>
public sealed class ImageCatalogTests
{
    private static readonly Dictionary<string, (string Program, IReadOnlyList<string> Args)> NoUserImages = [];

    [Theory]
    [InlineData("busybox:1.36", null, null, "sh")]
    [InlineData("registry.example/library/busybox@sha256:abc", null, null, "sh")]
    [InlineData("busybox", "sh,-c,echo hi", null, "sh|-c|echo hi")]
    [InlineData("busybox", null, "echo,hi", "echo|hi")]
    [InlineData("alpine:3.20", null, null, "/bin/sh")]
    [InlineData("ubuntu:24.04", "bash,-c", "exit 0", "bash|-c|exit 0")]
    [InlineData("debian", null, null, "bash")]
    [InlineData("bash:5", null, null, "bash")]
    [InlineData("nicolaka/netshoot:v0.13", "sh,-c,tc qdisc", null, "sh|-c|tc qdisc")]
    [InlineData("registry.local:5000/mirror/netshoot:v0.13", null, null, "bash")]
    [InlineData("alexeiled/stress-ng:0.12.05", null, "--cpu,1", "stress-ng|--cpu|1")]
    [InlineData("alexeiled/stress-ng:0.12.05", null, null, "stress-ng|--help")]
    [InlineData("colinianking/stress-ng:e00c355b8e9af3f7ce091e88ec6ddb5c439dc972", null, null, "stress-ng|--help")]
    [InlineData("colinianking/stress-ng:e00c355b8e9af3f7ce091e88ec6ddb5c439dc972", "sh,-c,command -v stress-ng", null, "sh|-c|command -v stress-ng")]
    [InlineData("curlimages/curl:8.8.0", null, "-s,http://cart", "curl|-s|http://cart")]
    [InlineData("curlimages/curl:8.8.0", null, "sh,-c,true", "sh|-c|true")]
    [InlineData("curlimages/curl:8.8.0", "curl", "-s,http://cart", "curl|-s|http://cart")]
    public void ShellAndDistributionImages_RunTheirCommandWithThisMachinesTools(string image, string? command, string? args, string argv)
    {
        var resolution = Resolve(image, command, args);

        resolution.Problem.Should().BeNull();
        resolution.Argv.Should().Equal(argv.Split('|'));
    }

    [Theory]
    [InlineData("registry.example/pause:3.10")]
    [InlineData("rancher/mirrored-pause:3.6")]
    [InlineData("my.registry/pause")]
    [InlineData("registry.example/google_containers/ocp-pause:1")]
    public void PauseImages_RunThePauseProgram(string image)
    {
        Resolve(image, null, null).Argv.Should().Equal(BuiltinImages.Pause);
    }

    [Fact]
    public void EchoImage_RunsTheBuiltInServer_AnyTag()
    {
        Resolve("chaos-testing/echo", null, null).Argv.Should().Equal(BuiltinImages.Echo);
        Resolve("registry.example:5000/chaos-testing/echo:1.2", null, null).Argv.Should().Equal(BuiltinImages.Echo);
    }

    [Fact]
    public void UserImages_WinOverBuiltIns_ExactImageFirst()
    {
        var user = new Dictionary<string, (string Program, IReadOnlyList<string> Args)>
        {
            ["busybox"] = ("/opt/busybox", ["--default"]),
            ["shop/cart:1.4"] = ("dotnet", ["cart-1.4.dll"]),
            ["shop/cart"] = ("dotnet", ["cart.dll"]),
        };

        ImageCatalog.Resolve("busybox:1.36", null, null, user).Argv.Should().Equal("/opt/busybox", "--default");
        ImageCatalog.Resolve("busybox:1.36", null, ["x"], user).Argv.Should().Equal(["/opt/busybox", "x"], "args replace the default args, the entrypoint stays");
        ImageCatalog.Resolve("busybox:1.36", ["sh"], null, user).Argv.Should().Equal(["sh"], "a command replaces the entrypoint and drops the default args");
        ImageCatalog.Resolve("shop/cart:1.4", null, null, user).Argv.Should().Equal("dotnet", "cart-1.4.dll");
        ImageCatalog.Resolve("shop/cart:2.0", null, null, user).Argv.Should().Equal("dotnet", "cart.dll");
        ImageCatalog.Resolve("shop/cart:2.0", [], [], user).Argv.Should().Equal(["dotnet", "cart.dll"], "an empty command or args list counts as none");
    }

    [Fact]
    public void UnmappedImage_SaysHowToMapIt()
    {
        var resolution = Resolve("shop/cart:1.4", "dotnet,Cart.dll", null);

        resolution.Argv.Should().BeNull("an image of unknown content runs nothing, even with a command");
        resolution.Problem.Should().Contain("image \"shop/cart:1.4\"")
            .And.Contain("KubernetesEmulatorOptions.Processes.Images[\"shop/cart:1.4\"] = new ImageProgram(\"dotnet\", \"path/Cart.dll\")");
    }

    [Theory]
    [InlineData("busybox:1.36", "busybox")]
    [InlineData("registry:5000/shop/cart:1.4", "registry:5000/shop/cart")]
    [InlineData("registry:5000/shop/cart", "registry:5000/shop/cart")]
    [InlineData("cart@sha256:abc", "cart")]
    public void WithoutTag_DropsTagAndDigest(string image, string expected) => ImageCatalog.WithoutTag(image).Should().Be(expected);

    private static ImageResolution Resolve(string image, string? command, string? args) =>
        ImageCatalog.Resolve(image, command?.Split(','), args?.Split(','), NoUserImages);
}
